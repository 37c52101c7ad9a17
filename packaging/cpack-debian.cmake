# CPACK_PRE_BUILD_SCRIPTS: runs on the staged package tree before CPack
# builds the .deb. Does what debhelper would: compress the man pages and
# add /usr/share/doc/credgate/changelog.gz (a native package), with gzip -9n
# so that the result is reproducible.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
set(root "${CPACK_TEMPORARY_DIRECTORY}")
if(NOT IS_DIRECTORY "${root}")
  message(FATAL_ERROR "cpack-debian.cmake: no staged tree at '${root}'")
endif()
find_program(GZIP gzip REQUIRED)

file(GLOB_RECURSE pages "${root}/usr/share/man/*")
foreach(page IN LISTS pages)
  if(NOT page MATCHES "\\.gz$" AND NOT IS_SYMLINK "${page}")
    execute_process(COMMAND "${GZIP}" -9nf "${page}" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "gzip ${page} failed")
    endif()
  endif()
endforeach()

set(doc "${root}/usr/${CREDGATE_DOCDIR_REL}")
file(MAKE_DIRECTORY "${doc}")
file(COPY_FILE "${CREDGATE_DEB_CHANGELOG}" "${doc}/changelog")
execute_process(COMMAND "${GZIP}" -9nf "${doc}/changelog" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip changelog failed")
endif()
