#!/usr/bin/env bash
# Installs this build into a scratch prefix (cmake --install --prefix: the package files must
# be relocatable) and builds on it as a user would: the CMake project beside this script
# (find_package(nnfield), runs a model through the C++ API and reads its file) and a
# one-file program compiled with `pkg-config --cflags --libs nnfield`. Checks what was
# installed: the program, headers (public only), man page, models and data, Python module.
# Usage: install_and_consume.sh CMAKE BUILD_DIR SOURCE_DIR VERSION CXX PYTHON(ON|OFF) MAN(ON|OFF)
set -uo pipefail
cmake=$1 build=$2 src=$3 version=$4 cxx=$5 python=$6 man=$7
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../cli/checks.sh"
prefix=$work/prefix
unset NNFIELD_THREADS OMP_NUM_THREADS

"$cmake" --install "$build" --prefix "$prefix" > "$work/install.log" 2>&1
check "cmake --install --prefix exits 0" "[ $? -eq 0 ]" || cat "$work/install.log"
libdir=$(dirname "$(find "$prefix" -name 'libnnfield.so' | head -1)")

check "bin/nnfield installed, reports $version" "[ \"\$(\"$prefix/bin/nnfield\" --version | head -1)\" = \"nnfield $version\" ]"
check "the shared library, with its SONAME link" "[ -e $libdir/libnnfield.so.$version ] && [ -L $libdir/libnnfield.so ]"
check "no static archive installed" "[ -z \"\$(find $prefix -name 'libnnfield.a')\" ]"
check "public headers installed" "[ -f $prefix/include/nnfield/run/run.hpp ] && [ -f $prefix/include/nnfield/numerics/thread_count.hpp ]"
check "the same headers as include/nnfield, no private src/ header" \
      "diff <(cd $src/include && find nnfield -type f | sort) <(cd $prefix/include && find nnfield -type f | sort) > /dev/null"
check "no installed header includes a private one" "! grep -rqE '#include \"(io|run|numerics|core|cli)/' $prefix/include"
check "CMake package and version file" \
      "[ -f $libdir/cmake/nnfield/nnfieldConfig.cmake ] && [ -f $libdir/cmake/nnfield/nnfieldConfigVersion.cmake ]"
check "the CMake package names no path of the build or source tree" \
      "! grep -rqF -e '$build' -e '$src/' $libdir/cmake/nnfield"
check "example models and their data" \
      "[ -f $prefix/share/nnfield/models/teacher_tanh.toml ] && [ -f $prefix/share/nnfield/data/patterns.h5 ]"
check "an installed model reading installed data validates" \
      "(cd $prefix/share/nnfield && \"$prefix/bin/nnfield\" validate models/sgd_datafile.toml > /dev/null)"
check "LICENSE and CITATION.cff installed" \
      "[ -f $prefix/share/doc/nnfield/LICENSE ] && [ -f $prefix/share/doc/nnfield/CITATION.cff ]"
if [ "$man" = ON ]; then
  page=$prefix/share/man/man1/nnfield.1
  check "man page nnfield.1 for $version, with the environment and exit statuses" \
        "grep -q '^\.TH NNFIELD \"1\".*nnfield $version' $page && grep -q NNFIELD_THREADS $page && grep -q 'EXIT STATUS' $page"
else
  echo "skip: configured with NNFIELD_MAN=OFF"
fi
if [ "$python" = ON ]; then
  module_dir=$(dirname "$(find "$prefix" -name 'nnfield.cpython-*.so' | head -1)")
  check "the Python module imports from the prefix, __version__ $version" \
        "[ \"\$(cd $work && PYTHONPATH=$module_dir /usr/bin/python3 -c 'import nnfield; print(nnfield.__version__, nnfield.__file__)')\" = \"$version $module_dir/\$(cd $module_dir && ls nnfield.cpython-*.so)\" ]"
else
  echo "skip: configured with NNFIELD_PYTHON=OFF"
fi

# find_package(nnfield): configure, build and run the consumer project.
"$cmake" -S "$here" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
         -DCMAKE_BUILD_TYPE=Release -DNNFIELD_EXPECTED_VERSION="$version" > "$work/consumer.log" 2>&1 &&
  "$cmake" --build "$work/consumer" >> "$work/consumer.log" 2>&1
check "find_package(nnfield) project configures and builds" "[ $? -eq 0 ]" || cat "$work/consumer.log"
"$work/consumer/consumer" "$prefix/share/nnfield/models/teacher_tanh.toml" "$work/run.h5" > "$work/consumer.out"
check "consumer runs a model through the library and reads its file" "[ $? -eq 0 ]" && cat "$work/consumer.out"
check "the consumer's run file records the version" \
      "[ \"\$(/usr/bin/python3 -c 'import sys, h5py; print(h5py.File(sys.argv[1], \"r\").attrs[\"nnfield_version\"])' $work/run.h5)\" = $version ]"
# The version file as find_package evaluates it: the same major.minor only (before 1.0).
IFS=. read -r major minor _ <<< "$version"
same=("$major.$minor" "$version") other=("$major.$((minor + 1))" "$((major + 1)).0")
[ "$minor" -gt 0 ] && other+=("$major.$((minor - 1))")
cat > "$work/versions.cmake" <<CMAKE
foreach(wanted ${same[*]} ${other[*]})
  string(REPLACE "." ";" parts \${wanted})
  list(GET parts 0 PACKAGE_FIND_VERSION_MAJOR)
  list(GET parts 1 PACKAGE_FIND_VERSION_MINOR)
  set(PACKAGE_FIND_VERSION \${wanted})
  include("$libdir/cmake/nnfield/nnfieldConfigVersion.cmake")
  message("\${wanted} \${PACKAGE_VERSION_COMPATIBLE}")
endforeach()
CMAKE
expected=$(for v in "${same[@]}"; do printf '%s TRUE ' "$v"; done; for v in "${other[@]}"; do printf '%s FALSE ' "$v"; done)
"$cmake" -P "$work/versions.cmake" > "$work/versions.out" 2>&1
check "the version file accepts ${same[*]}, refuses ${other[*]}" \
      "[ \"\$(tr '\n' ' ' < $work/versions.out)\" = '$expected' ]" || cat "$work/versions.out"

# pkg-config: one file, compiled and run against the prefix.
export PKG_CONFIG_PATH=$libdir/pkgconfig
check "pkg-config --modversion nnfield = $version" "[ \"\$(pkg-config --modversion nnfield)\" = $version ]"
"$cxx" -std=c++17 "$here/pkgconfig_consumer.cpp" -o "$work/pkgconfig_consumer" \
       $(pkg-config --cflags --libs nnfield) 2> "$work/pc.err"
check "one file compiles with pkg-config --cflags --libs nnfield" "[ $? -eq 0 ]" || cat "$work/pc.err"
LD_LIBRARY_PATH=$libdir "$work/pkgconfig_consumer" "$prefix/share/nnfield/models/teacher_tanh.toml" > "$work/pc.out"
check "the pkg-config program runs (version $version)" "[ $? -eq 0 ] && grep -q '^$version ' $work/pc.out"
summary
