# Shared by scripts/run and scripts/test: install what is missing, then configure and build.
# Sourced, not executed. Quiet when there is nothing to do.

GRADSCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GRADSCOPE_BUILD="${GRADSCOPE_BUILD:-$GRADSCOPE_ROOT/build}"

# Debian 12 packages needed to build, run and test GradScope.
GRADSCOPE_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev zlib1g-dev
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libqt6svg6
  fonts-dejavu-core
  dataset-fashion-mnist
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_packages PKG...: apt-get installs only those not yet installed.
ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# configure BUILD_DIR [cmake args...]: configures once (a later call keeps the cache).
configure() {
  local dir="$1"
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$GRADSCOPE_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  fi
}

# build BUILD_DIR [targets...]: progress lines are dropped; warnings and errors stay visible.
build() {
  local dir="$1"
  shift
  local targets=()
  [ $# -gt 0 ] && targets=(--target "$@")
  cmake --build "$dir" -j"$(nproc)" "${targets[@]}" 2>&1 |
    { grep -vE '^\[[0-9]+/[0-9]+\]|^ninja: no work' || true; }
  return "${PIPESTATUS[0]}"
}

configure_and_build() {
  configure "$@"
  build "$1"
}
