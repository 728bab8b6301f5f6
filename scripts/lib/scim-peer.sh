# scim2-server (PyPI), the real SCIM service provider the SCIM target and source tests talk to.
#
# Source this file, then call `scimsync_scim_peer_install`: it creates .venv-scim at the
# repository root when missing (or holding another version), installs the pinned scim2-server
# there, with its cursor extra (RFC 9865 cursor paging), and exports SCIMSYNC_TEST_SCIM2_SERVER, the path of its `scim2-server` program. The
# tests start their own servers on free loopback ports. Requires `repo_root` and bash with
# `set -euo pipefail` in the caller.

SCIMSYNC_SCIM2_SERVER_VERSION=0.8.3

# shellcheck source=pinned-venv.sh
source "$repo_root/scripts/lib/pinned-venv.sh"

scimsync_scim_peer_install() {
    local venv=$repo_root/.venv-scim
    scimsync_pinned_venv "$venv" "scim2-server-cursor-$SCIMSYNC_SCIM2_SERVER_VERSION" scim-peer \
        "scim2-server[cursor]==$SCIMSYNC_SCIM2_SERVER_VERSION"
    export SCIMSYNC_TEST_SCIM2_SERVER=$venv/bin/scim2-server
}
