# shellcheck shell=bash disable=SC2154 # repo_root comes from the script that sources this
# A Python virtual environment holding the SCIM conformance checkers and the peer SCIM server
# (scripts/lib/scim-conformance-requirements.txt, every version pinned), for
# scripts/scim-conformance and bench/scim-serve.
#
# Source it (bash, `set -euo pipefail`, $repo_root set), then call `scim_venv_ensure`: it sets
# $scim_venv and installs what is missing, idempotently: a venv whose stamp matches the
# requirements file is used as it is. SCIM_CONFORMANCE_VENV overrides the location (default
# $repo_root/.venv-scim-conformance, git-ignored). Needs python3 (>= 3.10) with venv; on
# Debian, python3 and python3-venv are installed when missing (scripts/lib/packages.sh).

scim_venv_log() {
    printf 'scim-venv: %s\n' "$*" >&2
}

scim_venv_ensure() {
    local requirements=$repo_root/scripts/lib/scim-conformance-requirements.txt want
    scim_venv=${SCIM_CONFORMANCE_VENV:-$repo_root/.venv-scim-conformance}
    want=$(sha256sum "$requirements" | cut -d' ' -f1)
    if [[ -x "$scim_venv/bin/python" && -f "$scim_venv/.requirements.sha256" &&
        "$(cat "$scim_venv/.requirements.sha256")" == "$want" ]]; then
        return 0
    fi
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        # shellcheck source=SCRIPTDIR/packages.sh
        source "$repo_root/scripts/lib/packages.sh"
        # shellcheck disable=SC2034 # the list packages.sh installs from, just for this call
        (scimsync_packages=(python3 python3-venv) && scimsync_install_missing_packages)
    fi
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
        scim_venv_log "python3 $(python3 -V 2>&1) is too old: the checkers need Python 3.10 or later"
        return 1
    fi
    scim_venv_log "installing the SCIM checkers into $scim_venv (pinned: scripts/lib/scim-conformance-requirements.txt)"
    rm -rf "$scim_venv"
    python3 -m venv "$scim_venv"
    "$scim_venv/bin/pip" install -q --disable-pip-version-check --no-input -r "$requirements" >&2
    printf '%s\n' "$want" >"$scim_venv/.requirements.sha256"
}
