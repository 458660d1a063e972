# The only place that finds third-party code. Everything comes from Debian packages
# (scripts/install-deps.sh --build lists them) except valijson, vendored header-only in
# third_party/valijson (its Debian package drags in Qt and Poco; see its README.md).

# MCTL_STATIC_DEPS (the default): the Debian .a of each library whose licence allows it in a
# binary we ship (yaml-cpp MIT, libsodium ISC, c-ares MIT, OpenSSL 3 Apache-2.0, libstdc++/libgcc
# GPL with the runtime exception), and fmt (MIT), whose implementation is compiled once here, as Debian 12 ships no libfmt.a.
# libc stays shared and libcurl dlopen'ed (core/curl_library.cpp). -DMCTL_STATIC_DEPS=OFF links
# the shared libraries instead.
function(mctl_static_archive var name)
  find_library(${var} NAMES lib${name}.a REQUIRED NO_CACHE)
  set(${var} ${${var}} PARENT_SCOPE)
endfunction()

macro(mctl_link_static)
  mctl_static_archive(_yaml yaml-cpp)
  get_target_property(_configs yaml-cpp IMPORTED_CONFIGURATIONS)
  foreach(_config ${_configs})
    set_target_properties(yaml-cpp PROPERTIES IMPORTED_LOCATION_${_config} ${_yaml} IMPORTED_NO_SONAME_${_config} TRUE)
  endforeach()
  mctl_static_archive(_sodium sodium)
  set_target_properties(PkgConfig::SODIUM PROPERTIES INTERFACE_LINK_LIBRARIES "${_sodium};Threads::Threads")
  mctl_static_archive(_cares cares)
  set_target_properties(PkgConfig::CARES PROPERTIES INTERFACE_LINK_LIBRARIES ${_cares})
  # Also when the cache still holds libcrypto.so from an earlier -DMCTL_STATIC_DEPS=OFF configure.
  mctl_static_archive(_crypto crypto)
  set_target_properties(OpenSSL::Crypto PROPERTIES IMPORTED_LOCATION ${_crypto}
    INTERFACE_LINK_LIBRARIES "Threads::Threads;${CMAKE_DL_LIBS}")
  add_link_options(-static-libstdc++ -static-libgcc)
endmacro()

option(MCTL_STATIC_DEPS "Link yaml-cpp, libsodium, c-ares, libcrypto, libstdc++, libgcc and fmt statically" ON)
if(MCTL_STATIC_DEPS)
  set(OPENSSL_USE_STATIC_LIBS TRUE)
endif()
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(CLI11 REQUIRED CONFIG)
find_package(yaml-cpp REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(nlohmann_json 3.10 REQUIRED CONFIG)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
option(MCTL_SYSTEM_VALIJSON "Use the system's valijson headers instead of third_party/valijson" OFF)
if(MCTL_SYSTEM_VALIJSON)
  find_path(VALIJSON_INCLUDE_DIR valijson/validator.hpp REQUIRED)
else()
  set(VALIJSON_INCLUDE_DIR ${PROJECT_SOURCE_DIR}/third_party/valijson/include)
endif()
add_library(mctl_valijson INTERFACE)
target_include_directories(mctl_valijson SYSTEM INTERFACE ${VALIJSON_INCLUDE_DIR})
# fmt for every target. The static build compiles fmt's implementation once
# (cmake/fmt_once.cpp) instead of header-only mode, which made every object compile
# it again (a third of each object's time); -DMCTL_STATIC_DEPS=OFF links libfmt.so.
add_library(mctl_fmt INTERFACE)
if(MCTL_STATIC_DEPS)
  mctl_link_static()
  add_library(mctl_fmt_once STATIC ${PROJECT_SOURCE_DIR}/cmake/fmt_once.cpp)
  target_include_directories(mctl_fmt_once SYSTEM PUBLIC
    $<TARGET_PROPERTY:fmt::fmt-header-only,INTERFACE_INCLUDE_DIRECTORIES>)
  target_link_libraries(mctl_fmt INTERFACE mctl_fmt_once)
else()
  target_link_libraries(mctl_fmt INTERFACE fmt::fmt)
endif()
if(MCTL_BUILD_TESTS)
  find_package(doctest REQUIRED CONFIG)
endif()

