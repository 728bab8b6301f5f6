# shellcheck shell=bash
# A Python virtual environment holding pinned PyPI packages, made once: what the SCIM peer
# (scim-peer.sh) and the SQL Server double's second client (sqlserver-peer-clients.sh) install.
#
# `scimsync_pinned_venv VENV STAMP LABEL PIP_ARGUMENTS...` creates VENV when missing and runs
# `pip install PIP_ARGUMENTS...` in it unless the file VENV/.STAMP says that was done (name the
# stamp after the pinned versions, so that a change of pin reinstalls). Installs Debian's
# python3-venv when `python3 -m venv` lacks it.

scimsync_pinned_venv() {
    local venv=$1 stamp=$1/.$2 label=$3
    shift 3
    [[ -e "$stamp" ]] && return 0
    echo "$label: installing $* into $venv" >&2
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        # Debian's python3 keeps venv in a package of its own.
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >&2
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
    touch "$stamp"
}
