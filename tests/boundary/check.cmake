# ctest include_boundaries: the control builds, the wrong include does not,
# and it fails because the header cannot be found (not for another reason).
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} --target boundary_db_sees_db
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the control (db/ seen from a target linking shiori_db) does not build:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} --target boundary_pages_sees_db
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "a target linking only shiori_pages can include db/sqlite.h: the boundary is gone")
endif()
if(NOT out MATCHES "db/sqlite.h: No such file or directory")
  message(FATAL_ERROR "the wrong include failed for another reason:\n${out}")
endif()
message(STATUS "pages/ cannot include db/sqlite.h; a target linking shiori_db can")
