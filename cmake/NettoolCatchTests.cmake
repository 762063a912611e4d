# nettool_discover_catch_tests(TARGET [PROPERTIES ...]): one CTest entry per Catch2 test case of TARGET, found after
# each build by running it with --list-test-names-only (cmake/NettoolCatchAddTests.cmake).
#
# Replaces Catch2's catch_discover_tests, whose script splits names at ';' (CMake's list separator): such an entry
# ran a filter that matched nothing, Catch2 said "No tests ran" and exited 0, and CTest counted it as passed. Here
# whole names are kept, each entry runs with `-w NoTests` (a filter matching no test case exits 2, a failure), and
# SKIP_RETURN_CODE 77 turns NETTOOL_SKIP (tests/support/test_support.hpp) into "Skipped" in CTest's summary.
set(NETTOOL_CATCH_ADD_TESTS_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/NettoolCatchAddTests.cmake)
set(NETTOOL_TEST_SKIP_EXIT_CODE 77)

function(nettool_discover_catch_tests target)
  cmake_parse_arguments(ARG "" "" "PROPERTIES" ${ARGN})
  set(ctest_include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake")
  set(ctest_tests_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake")
  add_custom_command(
    TARGET ${target} POST_BUILD
    BYPRODUCTS "${ctest_tests_file}"
    COMMAND "${CMAKE_COMMAND}"
            -D "TEST_EXECUTABLE=$<TARGET_FILE:${target}>"
            -D "TEST_WORKING_DIR=${CMAKE_CURRENT_BINARY_DIR}"
            -D "TEST_PROPERTIES=${ARG_PROPERTIES}"
            -D "TEST_SKIP_EXIT_CODE=${NETTOOL_TEST_SKIP_EXIT_CODE}"
            -D "CTEST_FILE=${ctest_tests_file}"
            -P "${NETTOOL_CATCH_ADD_TESTS_SCRIPT}"
    VERBATIM)
  # Before the first build there is nothing to list: one entry that fails and says so.
  file(WRITE "${ctest_include_file}"
    "if(EXISTS \"${ctest_tests_file}\")\n"
    "  include(\"${ctest_tests_file}\")\n"
    "else()\n"
    "  add_test(${target}_NOT_BUILT ${target}_NOT_BUILT)\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${ctest_include_file}")
endfunction()
