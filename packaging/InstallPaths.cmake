# Install-time helpers, included from install(CODE) in systemd/ and
# packaging/. They run inside cmake_install.cmake, where
# CMAKE_INSTALL_PREFIX is the prefix of *this* install: the configured one,
# `cmake --install --prefix P`, or /usr when CPack builds the package. Paths
# written into installed files (the unit's ExecStart=) are computed here, so
# they always match where the files really go. file(INSTALL) honours
# DESTDIR and records each file in install_manifest.txt.

# credgate_full_dir(OUT DIR [SYSCONF]): DIR (CMAKE_INSTALL_<dir>, relative or
# absolute) as an absolute path under the current prefix, by GNUInstallDirs'
# rules: with prefix /usr, SYSCONF dirs are /etc, with /opt/P they are
# /etc/opt/P.
function(credgate_full_dir out dir)
  set(prefix "${CMAKE_INSTALL_PREFIX}")
  string(REGEX REPLACE "/+$" "" prefix "${prefix}")
  if(IS_ABSOLUTE "${dir}")
    set(full "${dir}")
  elseif(ARGV2 STREQUAL "SYSCONF" AND prefix STREQUAL "/usr")
    set(full "/${dir}")
  elseif(ARGV2 STREQUAL "SYSCONF" AND prefix MATCHES "^/opt/(.*)")
    set(full "/${dir}/opt/${CMAKE_MATCH_1}")
  else()
    set(full "${prefix}/${dir}")
  endif()
  set(${out} "${full}" PARENT_SCOPE)
endfunction()

# credgate_install_paths(): set CREDGATE_SBINDIR, CREDGATE_BINDIR,
# CREDGATE_DOCDIR and CREDGATE_CONFDIR (SYSCONFDIR/credgate) from the
# CREDGATE_REL_* values the install(CODE) block passes.
macro(credgate_install_paths)
  credgate_full_dir(CREDGATE_SBINDIR "${CREDGATE_REL_SBINDIR}")
  credgate_full_dir(CREDGATE_BINDIR "${CREDGATE_REL_BINDIR}")
  credgate_full_dir(CREDGATE_DOCDIR "${CREDGATE_REL_DOCDIR}")
  credgate_full_dir(_credgate_sysconfdir "${CREDGATE_REL_SYSCONFDIR}" SYSCONF)
  set(CREDGATE_CONFDIR "${_credgate_sysconfdir}/credgate")
endmacro()

# credgate_install_configured(TEMPLATE WORKDIR DESTINATION NAME): configure
# TEMPLATE (@VAR@ only) with the paths above and install it as
# DESTINATION/NAME.
function(credgate_install_configured template workdir destination name)
  configure_file("${template}" "${workdir}/${name}" @ONLY)
  file(INSTALL DESTINATION "${destination}" TYPE FILE
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES "${workdir}/${name}")
endfunction()

# credgate_install_conffile(SOURCE DESTINATION): install a configuration
# file the administrator may edit. An existing, different copy is kept and
# the new default goes next to it as NAME.new (dpkg does the same for the
# package's conffiles, with its own prompt).
function(credgate_install_conffile source destination)
  get_filename_component(name "${source}" NAME)
  set(target "$ENV{DESTDIR}${destination}/${name}")
  if(EXISTS "${target}")
    file(SHA256 "${target}" have)
    file(SHA256 "${source}" want)
    if(NOT have STREQUAL want)
      message(STATUS "Keeping: ${destination}/${name} (yours); the new default is ${destination}/${name}.new")
      file(INSTALL DESTINATION "${destination}" TYPE FILE RENAME "${name}.new"
           PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ FILES "${source}")
      return()
    endif()
  endif()
  file(INSTALL DESTINATION "${destination}" TYPE FILE
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ FILES "${source}")
endfunction()
