# cmake -DBUILD_DIR=... -DSTAGE=... -P stage-install.cmake
# Install the build into an empty scratch root with prefix /usr, as the
# Debian package does, for the unit checks.
file(REMOVE_RECURSE "${STAGE}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E env "DESTDIR=${STAGE}" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix /usr
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install into ${STAGE} failed (${rc}):\n${out}")
endif()
message(STATUS "installed into ${STAGE}")
