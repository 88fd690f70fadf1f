#pragma once
// What the build system knew when it compiled this library: written at every build by
// cmake/build_info.cmake (a generated file), so it never goes stale after a commit.
namespace nnfield::detail {

const char* build_git_hash();  // short hash, "-dirty" if tracked files differed; "unknown" without git
const char* build_type();      // CMAKE_BUILD_TYPE
const char* build_version();   // the project version
const char* build_flags();     // the C++ compile flags, -march=native included when used
const char* build_eigen_version();  // "3.4.0": the Eigen the library was configured with
const char* build_boost_version();  // "1.74.0": the Boost (Odeint) it was configured with
bool build_native();                // compiled with -march=native (NNFIELD_NATIVE)
const char* build_sanitizers();     // "address,undefined" (NNFIELD_SANITIZE) or "none"

}  // namespace nnfield::detail
