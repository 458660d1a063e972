# install() rules and CPack packages (a .deb and a .tar.gz): `cmake --install build` or
# `cpack --config build/CPackConfig.cmake`. Checked by tests/integration/test_package.sh.
include(GNUInstallDirs)

install(TARGETS mctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Licence notices of code compiled into the binary: valijson (BSD-2-Clause requires its notice
# with binary copies) and Marathon's app-definition schema (Apache-2.0, embedded by templates/).
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES third_party/valijson/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME LICENSE.valijson)
install(FILES templates/schema/LICENSE-Apache-2.0 DESTINATION ${CMAKE_INSTALL_DOCDIR}
  RENAME LICENSE.marathon-schema)
# MCTL_STATIC_DEPS puts these libraries inside the binary: ship their notices too (the Debian
# copyright files of the runtime packages the .a files belong to).
if(MCTL_STATIC_DEPS)
  foreach(_pkg libyaml-cpp0.7 libsodium23 libc-ares2 libssl3 libstdc++6 libgcc-s1 libfmt-dev)
    install(FILES /usr/share/doc/${_pkg}/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME LICENSE.${_pkg})
  endforeach()
endif()

# The man page and the shell completions, written by the built mctl from its command tree
# (cmake/GenerateDocs.cmake), installed where Debian's man, bash-completion, zsh and fish look.
set(_docs ${PROJECT_BINARY_DIR}/share)
set(_docs_files ${_docs}/man/man1/mctl.1 ${_docs}/completions/mctl.bash ${_docs}/completions/_mctl
  ${_docs}/completions/mctl.fish)
file(MAKE_DIRECTORY ${_docs}/man/man1 ${_docs}/completions)
add_custom_command(OUTPUT ${_docs_files}
  COMMAND ${CMAKE_COMMAND} -DMCTL=$<TARGET_FILE:mctl> -DOUT=${_docs} -P ${PROJECT_SOURCE_DIR}/cmake/GenerateDocs.cmake
  DEPENDS mctl ${PROJECT_SOURCE_DIR}/cmake/GenerateDocs.cmake
  COMMENT "Generating mctl.1 and the bash, zsh and fish completions" VERBATIM)
add_custom_target(mctl_docs ALL DEPENDS ${_docs_files})
install(FILES ${_docs}/man/man1/mctl.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${_docs}/completions/mctl.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME mctl)
install(FILES ${_docs}/completions/_mctl DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${_docs}/completions/mctl.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

set(MCTL_PACKAGE_CONTACT "mctl maintainers <mctl@localhost>" CACHE STRING "Maintainer field of the .deb")
set(CPACK_PACKAGE_NAME mctl)
set(CPACK_PACKAGE_VENDOR mctl)
set(CPACK_PACKAGE_CONTACT "${MCTL_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Deploy Docker apps to Mesos + Marathon: vault, render, deploy, rollback, Mesos-DNS")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_IGNORE_FILES "/build/;/\\\\.git/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
# Depends: every shared library the binary links, from dpkg-shlibdeps; plus libcurl4, which
# core/curl_library.cpp dlopen()s at run time, so no tool can see it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "docker.io, ansible-core")
include(CPack)
