#!/usr/bin/env bash
# Install the Debian packages nnfield needs, then configure and build (Release).
# Usage: ./scripts/setup.sh [extra cmake arguments, e.g. -DNNFIELD_SANITIZE=ON]
# Environment: BUILD_DIR (default: build), NNFIELD_SKIP_APT=1 to skip the apt step.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git help2man
  libeigen3-dev libfftw3-dev libboost-dev libhdf5-dev
  catch2 libtomlplusplus-dev libcli11-dev pybind11-dev
  python3-dev python3-numpy python3-h5py python3-matplotlib python3-torch python3-pytest python3-xarray python3-h5netcdf
  libopenmpi-dev openmpi-bin
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${NNFIELD_SKIP_APT:-0}" != 1 ] && [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir=${BUILD_DIR:-build}
# pybind11 must see Debian's interpreter, not a pyenv one first on PATH.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DPYTHON_EXECUTABLE=/usr/bin/python3 "$@"
cmake --build "$build_dir" -j"$(nproc)"
echo "setup: built $build_dir/nnfield"
