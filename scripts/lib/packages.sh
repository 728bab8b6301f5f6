# Debian packages scimsync builds and tests with, installed when missing. Source this file,
# then call `scimsync_install_missing_packages`. Works as root (CI) or through sudo.

# python3-pymssql and freetds-bin (tsql) are clients the SQL Server test double is checked with;
# chromium runs the admin page (scripts/admin-page-check); python3-cryptography encrypts the
# platform simulators' callbacks (scripts/dingtalk-sim, wecom-sim, feishu-sim).
scimsync_packages=(libmariadb-dev freetds-dev libpq-dev libsqlite3-dev mariadb-server postgresql pkg-config
    python3-pymssql freetds-bin python3-venv chromium python3-cryptography)

scimsync_install_missing_packages() {
    local missing=() package
    for package in "${scimsync_packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$package")
        fi
    done
    ((${#missing[@]} == 0)) && return 0

    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "packages: missing Debian packages ${missing[*]}; install them as root" >&2
            return 1
        fi
    fi
    echo "packages: installing ${missing[*]}" >&2
    # Keep the packages' postinst from starting the system's own mariadb/postgresql services:
    # our private servers use their own ports and sockets anyway, this just saves the work.
    local policy=/usr/sbin/policy-rc.d created_policy=""
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
        created_policy=1
    fi
    local status=0
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q || status=$?
    if ((status == 0)); then
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "${missing[@]}" || status=$?
    fi
    [[ -n "$created_policy" ]] && "${sudo[@]}" rm -f "$policy"
    return "$status"
}

# Puts a Swift toolchain on PATH (the one in /opt/swift when none is there yet), or fails.
scimsync_require_swift() {
    if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
        export PATH=/opt/swift/usr/bin:$PATH
    fi
    if ! command -v swift >/dev/null 2>&1; then
        echo "swift not found; install a Swift 6 toolchain (e.g. in /opt/swift)" >&2
        return 1
    fi
}
