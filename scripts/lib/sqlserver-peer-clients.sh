# python-tds (PyPI), the second independent client sqlserver-peer's own tests drive it with (the
# first, pymssql on FreeTDS, is Debian's python3-pymssql, in scripts/lib/packages.sh).
#
# Source this file, then call `scimsync_sqlserver_peer_clients_install`: it creates
# .venv-sqlserver at the repository root when missing (or holding another version) and installs
# the pinned python-tds there; scripts/sqlserver-peer-test finds it there. Requires `repo_root`
# and bash with `set -euo pipefail` in the caller.

SCIMSYNC_PYTHON_TDS_VERSION=1.17.1

# shellcheck source=pinned-venv.sh
source "$repo_root/scripts/lib/pinned-venv.sh"

scimsync_sqlserver_peer_clients_install() {
    scimsync_pinned_venv "$repo_root/.venv-sqlserver" "python-tds-$SCIMSYNC_PYTHON_TDS_VERSION" sqlserver-peer \
        "python-tds==$SCIMSYNC_PYTHON_TDS_VERSION"
}
