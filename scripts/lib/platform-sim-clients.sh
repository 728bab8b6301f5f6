# shellcheck shell=bash
# The platforms' own PyPI clients, which the platform simulators' tests drive them with (clients
# scimsync does not use): lark-oapi (Feishu), wechatpy (WeCom; its 2.0 line has
# department/simplelist) and alibabacloud-dingtalk (DingTalk's v1.0 API), with cryptography for
# the simulators' callback encryption.
#
# Source this file, then call `scimsync_platform_sim_clients_install`: it creates
# .venv-platform-sim at the repository root when missing (or holding other versions). Requires
# `repo_root` and bash with `set -euo pipefail` in the caller.

SCIMSYNC_PLATFORM_SIM_PINS=(
    "lark-oapi==1.7.5"
    "wechatpy==2.0.0a26"
    "alibabacloud-dingtalk==2.2.65"
    "cryptography==50.0.2"
)

# shellcheck source=pinned-venv.sh
source "$repo_root/scripts/lib/pinned-venv.sh"

scimsync_platform_sim_clients_install() {
    local stamp
    stamp=$(printf '%s\n' "${SCIMSYNC_PLATFORM_SIM_PINS[@]}" | sha1sum | cut -c1-12)
    scimsync_pinned_venv "$repo_root/.venv-platform-sim" "pins-$stamp" platform-sim "${SCIMSYNC_PLATFORM_SIM_PINS[@]}"
}
