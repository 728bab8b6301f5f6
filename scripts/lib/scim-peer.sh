# scim2-server (PyPI), the real SCIM service provider the SCIM target and source tests talk to.
#
# Source this file, then call `scimsync_scim_peer_install`: it creates .venv-scim at the
# repository root when missing (or holding another version), installs the pinned scim2-server
# there, with its cursor extra (RFC 9865 cursor paging), and exports SCIMSYNC_TEST_SCIM2_SERVER, the path of its `scim2-server` program. The
# tests start their own servers on free loopback ports. Requires `repo_root` and bash with
# `set -euo pipefail` in the caller.

SCIMSYNC_SCIM2_SERVER_VERSION=0.8.3

scimsync_scim_peer_install() {
    local venv=$repo_root/.venv-scim
    local stamp=$venv/.scim2-server-cursor-$SCIMSYNC_SCIM2_SERVER_VERSION
    if [[ ! -x "$venv/bin/scim2-server" || ! -e "$stamp" ]]; then
        echo "scim-peer: installing scim2-server $SCIMSYNC_SCIM2_SERVER_VERSION into $venv" >&2
        if ! python3 -m venv "$venv" >/dev/null 2>&1; then
            # Debian's python3 keeps venv in a package of its own.
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >&2
            python3 -m venv "$venv"
        fi
        "$venv/bin/pip" install --quiet --disable-pip-version-check "scim2-server[cursor]==$SCIMSYNC_SCIM2_SERVER_VERSION" >&2
        touch "$stamp"
    fi
    export SCIMSYNC_TEST_SCIM2_SERVER=$venv/bin/scim2-server
}
