# python-tds (PyPI), the second independent client sqlserver-peer's own tests drive it with (the
# first, pymssql on FreeTDS, is Debian's python3-pymssql, in scripts/lib/packages.sh).
#
# Source this file, then call `scimsync_sqlserver_peer_clients_install`: it creates
# .venv-sqlserver at the repository root when missing (or holding another version) and installs
# the pinned python-tds there; scripts/sqlserver-peer-test finds it there. Requires `repo_root`
# and bash with `set -euo pipefail` in the caller.

SCIMSYNC_PYTHON_TDS_VERSION=1.17.1

scimsync_sqlserver_peer_clients_install() {
    local venv=$repo_root/.venv-sqlserver
    local stamp=$venv/.python-tds-$SCIMSYNC_PYTHON_TDS_VERSION
    if [[ ! -e "$stamp" ]]; then
        echo "sqlserver-peer: installing python-tds $SCIMSYNC_PYTHON_TDS_VERSION into $venv" >&2
        if ! python3 -m venv "$venv" >/dev/null 2>&1; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >&2
            python3 -m venv "$venv"
        fi
        "$venv/bin/pip" install --quiet --disable-pip-version-check "python-tds==$SCIMSYNC_PYTHON_TDS_VERSION" >&2
        touch "$stamp"
    fi
}
