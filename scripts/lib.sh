# Shared by scripts/run and scripts/test: install what is missing, only from the package
# registries (crates.io, npm, Debian), idempotently — a second run checks versions and
# installs nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
export PATH="$TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cd "$ROOT"

TRUNK_VERSION="0.21.14"   # 0.22 needs a newer rustc than the machine has
BINARYEN_VERSION="132"    # Debian's binaryen 108 builds a module that fails at run time

say() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The wasm-bindgen version in Cargo.lock; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
    say "installing trunk $TRUNK_VERSION from crates.io (about 15 minutes on 2 cores)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  if ! grep -q "wasm_bindgen = \"$want\"" "$ROOT/Trunk.toml"; then
    echo "Trunk.toml [tools] wasm_bindgen must be \"$want\" (the version in Cargo.lock)" >&2
    exit 1
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ] \
    || [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "installing wasm-bindgen-cli $want from crates.io"
    # Not --locked: the CLI's own lockfile names a webpki-roots version the registry lacks.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_wasm_opt() {
  if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    say "installing wasm-opt (binaryen $BINARYEN_VERSION) from npm into .tools/"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION.0.0"
  fi
}

# Debian packages the tests need: the browser and its driver, and the openssl command line
# for the stock-tool check of a result file.
ensure_test_packages() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  # A Chinese font, so screenshots and the printed report show characters, not boxes.
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# A Python venv with the stock verification tools of docs/result-format.md (PyPI).
ensure_python_verifier() {
  if ! "$TOOLS/pyenv/bin/python" -c 'import rfc8785, cryptography, rbcl' 2>/dev/null; then
    say "installing rfc8785, cryptography and rbcl from PyPI into .tools/pyenv"
    python3 -m venv "$TOOLS/pyenv"
    "$TOOLS/pyenv/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/docs/verify-requirements.txt"
  fi
}

OPENPYXL_VERSION="3.1.5"

# openpyxl (PyPI, into the same venv): an independent reader the tests check the xlsx with.
ensure_xlsx_reader() {
  if ! "$TOOLS/pyenv/bin/python" -c "import openpyxl, sys; sys.exit(openpyxl.__version__ != '$OPENPYXL_VERSION')" 2>/dev/null; then
    say "installing openpyxl $OPENPYXL_VERSION from PyPI into .tools/pyenv"
    "$TOOLS/pyenv/bin/pip" install --quiet --disable-pip-version-check "openpyxl==$OPENPYXL_VERSION"
  fi
}

AXE_VERSION="4.14.1"

# axe-core (npm, into .tools/): the end-to-end tests inject it into every screen they visit.
ensure_axe() {
  if ! grep -qs "\"version\": \"$AXE_VERSION\"" "$TOOLS/node_modules/axe-core/package.json"; then
    say "installing axe-core $AXE_VERSION from npm into .tools/"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "axe-core@$AXE_VERSION"
  fi
}

ensure_web_tools() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_wasm_opt
  ensure_trunk
}

# Prints the free space for target/ and warns when a run from a cold target/ may not fit:
# a full disk otherwise shows up only as a rustc I/O error deep inside a build.
check_disk() {
  local need_gib="$1" free_gib
  free_gib=$(( $(df -Pk "$ROOT" | awk 'NR == 2 { print $4 }') / 1048576 ))
  say "disk: $free_gib GiB free for target/ (a cold run writes about $need_gib GiB)"
  if [ "$free_gib" -lt "$need_gib" ]; then
    echo "warning: only $free_gib GiB free; builds may fail with 'No space left on device'" >&2
  fi
}

# A fresh folder for the temporary files of the Chromium that wasm-bindgen-test starts: its
# runner ends Chromium without letting it clean up, which leaves about 130 MB per run in /tmp.
fresh_browser_tmp() {
  local dir="$ROOT/target/browser-tmp"
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "$dir"
}

# Both browser builds (docs/builds.md), release profile: the rater build (rater/index.html)
# into target/rater-dist/, then the host build (index.html) into dist/, whose post-build hook
# copies the rater build into dist/rater/. Extra arguments go to both trunk runs.
build_dist() {
  trunk build rater/index.html --release --dist "$ROOT/target/rater-dist" "$@"
  trunk build --release "$@"
}
