/// What a well-formed UTF-8 sequence that starts with a given byte is (RFC 3629 section 4,
/// Unicode table 3-7): how many bytes it takes, and the range its second byte must fall in
/// (narrower than a continuation byte's after E0, ED, F0 and F4, which is what rules out
/// overlong forms, surrogates and code points past U+10FFFF). Every byte after the second
/// is any continuation byte (10xxxxxx).
public enum UTF8Lead {
    /// The sequence `lead` starts (`lead` at 0x80 or above); nil when no well-formed sequence
    /// starts with it (a continuation byte, C0, C1, F5 to FF).
    @inlinable
    public static func sequence(startingWith lead: UInt8) -> (length: Int, secondLow: UInt8, secondHigh: UInt8)? {
        switch lead {
        case 0xC2...0xDF: (2, 0x80, 0xBF)
        case 0xE0: (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80, 0xBF)
        case 0xED: (3, 0x80, 0x9F)
        case 0xF0: (4, 0x90, 0xBF)
        case 0xF1...0xF3: (4, 0x80, 0xBF)
        case 0xF4: (4, 0x80, 0x8F)
        default: nil
        }
    }
}
