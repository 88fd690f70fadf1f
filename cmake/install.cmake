# What `cmake --install build --prefix P` puts under P (README.md, "Installing"):
#   bin/nnfield                          the program
#   lib/libnnfield.so*                   the library (shared: see below)
#   include/nnfield/                     the public headers (include/nnfield; src/ stays private)
#   lib/cmake/nnfield/                   find_package(nnfield) -> nnfield::nnfield, with a version file
#   lib/pkgconfig/nnfield.pc             pkg-config --cflags --libs nnfield
#   share/man/man1/nnfield.1             the man page (help2man, below)
#   share/nnfield/{models,data}          the example models and the data they read
#   share/doc/nnfield/                   README, LICENSE, CITATION.cff, CHANGELOG
#   lib/python3.X/dist-packages/         the Python module (python/CMakeLists.txt)
# (lib is CMAKE_INSTALL_LIBDIR: lib/<multiarch> on Debian with prefix /usr.)
#
# The library is installed shared, not static: the public headers need the C++ standard
# library alone, so a shared library keeps HDF5, FFTW, Eigen, Boost and toml++ to itself.
# A program built on it needs none of their development packages, the CMake package needs
# no find_dependency, and nnfield.pc no Requires; a static archive would put all of them on
# every consumer's link line. Its SONAME carries major.minor (libnnfield.so.0.1): before
# 1.0 a minor release may change the ABI. Like the program, it is compiled with
# -march=native unless configured with -DNNFIELD_NATIVE=OFF (do that for packages that
# run on other machines).
include(CMakePackageConfigHelpers)

install(TARGETS nnfield RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS nnfield_shared EXPORT nnfieldTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/nnfield DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# The CMake package. Its files are relocatable: the prefix is found from where they lie,
# so `--prefix` at install time works without reconfiguring.
set(NNFIELD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/nnfield)
install(EXPORT nnfieldTargets NAMESPACE nnfield:: DESTINATION ${NNFIELD_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/nnfieldConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/nnfieldConfig.cmake INSTALL_DESTINATION ${NNFIELD_CMAKE_DIR})
# Before 1.0 a minor version may break the API: only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nnfieldConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nnfieldConfig.cmake ${PROJECT_BINARY_DIR}/nnfieldConfigVersion.cmake
        DESTINATION ${NNFIELD_CMAKE_DIR})

# pkg-config: prefix from the .pc file's own place (${pcfiledir}), relocatable as above.
set(NNFIELD_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH NNFIELD_PC_TO_PREFIX /prefix/${NNFIELD_PKGCONFIG_DIR} /prefix)
string(REGEX REPLACE "/$" "" NNFIELD_PC_TO_PREFIX "${NNFIELD_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/nnfield.pc.in ${PROJECT_BINARY_DIR}/nnfield.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/nnfield.pc DESTINATION ${NNFIELD_PKGCONFIG_DIR})

install(DIRECTORY ${PROJECT_SOURCE_DIR}/models ${PROJECT_SOURCE_DIR}/data
        DESTINATION ${CMAKE_INSTALL_DATADIR}/nnfield)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/CITATION.cff
              ${PROJECT_SOURCE_DIR}/CHANGELOG.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The man page, written by help2man from the built program's --help (plus
# cmake/nnfield.h2m). The version is given, not read from --version: the git hash and
# flags that follow it there would land in the page's text. NNFIELD_MAN defaults to whether help2man is found; without it the
# configure step says so and installs no man page. -DNNFIELD_MAN=ON without help2man is
# an error at configure time, never a silent skip.
find_program(HELP2MAN_EXECUTABLE help2man)
if(NOT DEFINED NNFIELD_MAN)
  if(HELP2MAN_EXECUTABLE)
    set(_nnfield_man_default ON)
  else()
    set(_nnfield_man_default OFF)
    message(WARNING "help2man not found: the man page nnfield.1 will not be built or installed "
                    "(apt-get install help2man, then reconfigure)")
  endif()
endif()
option(NNFIELD_MAN "Build and install the man page nnfield.1 (help2man)" ${_nnfield_man_default})
if(NNFIELD_MAN)
  if(NOT HELP2MAN_EXECUTABLE)
    message(FATAL_ERROR "NNFIELD_MAN=ON but help2man is not found: apt-get install help2man, "
                        "or configure with -DNNFIELD_MAN=OFF")
  endif()
  add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/nnfield.1
    COMMAND ${HELP2MAN_EXECUTABLE} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
            --name "lattice field theory of neural-network training"
            --include ${PROJECT_SOURCE_DIR}/cmake/nnfield.h2m
            --output ${PROJECT_BINARY_DIR}/nnfield.1 $<TARGET_FILE:nnfield>
    DEPENDS nnfield ${PROJECT_SOURCE_DIR}/cmake/nnfield.h2m
    COMMENT "man page nnfield.1 (help2man)" VERBATIM)
  add_custom_target(nnfield_man ALL DEPENDS ${PROJECT_BINARY_DIR}/nnfield.1)
  install(FILES ${PROJECT_BINARY_DIR}/nnfield.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
