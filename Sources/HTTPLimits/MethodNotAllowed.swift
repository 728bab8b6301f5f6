import HTTPTypes
import Hummingbird

/// The methods a path does not take answered with 405 and the ones it does (RFC 9110 §15.5.6:
/// "The origin server MUST generate an Allow header field in a 405 response containing a list
/// of the target resource's currently supported methods"), not a 404 that says the resource
/// is not there.
public enum MethodNotAllowed {
    /// The methods a route is asked with; the others are refused by the HTTP decoder (501).
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    /// The methods a path that takes `methods` answers: HEAD goes with GET.
    static func answered(_ methods: [HTTPRequest.Method]) -> [HTTPRequest.Method] {
        var answered = methods
        if let get = answered.firstIndex(of: .get), !answered.contains(.head) { answered.insert(.head, at: get + 1) }
        return answered
    }

    /// The `Allow` header of a path that takes `methods`.
    public static func allowHeader(_ methods: [HTTPRequest.Method]) -> String {
        answered(methods).map(\.rawValue).joined(separator: ", ")
    }

    /// Routes every other method of `path` to `answer`, called with the `Allow` header's value,
    /// which the response then carries.
    public static func refuse<Router: RouterMethods>(
        on router: Router, path: String, allowing allowed: [HTTPRequest.Method],
        answer: @escaping @Sendable (_ allow: String) -> Response
    ) {
        let taken = answered(allowed)
        let allow = allowHeader(allowed)
        for method in methods where !taken.contains(method) {
            router.on(RouterPath(stringLiteral: path), method: method) { _, _ -> Response in
                var response = answer(allow)
                response.headers[.allow] = allow
                return response
            }
        }
    }
}
