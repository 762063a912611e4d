# Run by nettool_discover_catch_tests after each build of a Catch2 test executable (cmake -P): lists its test cases
# and writes one add_test per case to CTEST_FILE.
#   -D TEST_EXECUTABLE, TEST_WORKING_DIR, TEST_PROPERTIES (a list), TEST_SKIP_EXIT_CODE, CTEST_FILE
#
# Names are kept whole: ';' is CMake's list separator, so the listing is split on newlines only (after setting
# ';', '[' and ']' aside), and every name and filter is written as a bracket argument, which CMake never splits.

execute_process(
  COMMAND "${TEST_EXECUTABLE}" --list-test-names-only
  OUTPUT_VARIABLE listing
  RESULT_VARIABLE listed
  WORKING_DIRECTORY "${TEST_WORKING_DIR}")
# Catch2 v2 exits with the number of test cases listed, so only a crash or a missing binary is an error.
if(NOT listed MATCHES "^[0-9]+$")
  message(FATAL_ERROR "cannot list the test cases of ${TEST_EXECUTABLE}: ${listed}\n${listing}")
endif()

# '[' and ']' too: CMake does not split a list inside square brackets.
string(REPLACE ";" "<nettool-semicolon>" listing "${listing}")
string(REPLACE "[" "<nettool-open-bracket>" listing "${listing}")
string(REPLACE "]" "<nettool-close-bracket>" listing "${listing}")
string(REPLACE "\n" ";" lines "${listing}")

set(script "")
set(count 0)
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  string(REPLACE "<nettool-semicolon>" ";" name "${line}")
  string(REPLACE "<nettool-open-bracket>" "[" name "${name}")
  string(REPLACE "<nettool-close-bracket>" "]" name "${name}")
  # Catch2's own listing quotes names that start with '#'.
  if(name MATCHES "^\"#.*\"$")
    string(REGEX REPLACE "^\"(.*)\"$" "\\1" name "${name}")
  endif()
  if(name MATCHES "(^[*~ ])|([* ]$)|(^exclude:)|(\\]==\\])")
    message(FATAL_ERROR "${TEST_EXECUTABLE}: the test case name '${name}' cannot be selected exactly on Catch2's "
                        "command line (it starts or ends with '*', '~' or a space, starts with 'exclude:' or "
                        "contains ']=='); rename it")
  endif()
  # The filter on Catch2's command line: a backslash makes the next character literal, so ',' (the OR of two
  # filters), '[' and ']' (tags), '"' and '\' stay part of the name.
  string(REGEX REPLACE "([],[\"\\\\])" "\\\\\\1" filter "${name}")
  string(APPEND script
    "add_test([==[${name}]==] [==[${TEST_EXECUTABLE}]==] [==[${filter}]==] -w NoTests)\n"
    "set_tests_properties([==[${name}]==] PROPERTIES WORKING_DIRECTORY [==[${TEST_WORKING_DIR}]==]"
    " SKIP_RETURN_CODE ${TEST_SKIP_EXIT_CODE}")
  foreach(property IN LISTS TEST_PROPERTIES)
    string(APPEND script " [==[${property}]==]")
  endforeach()
  string(APPEND script ")\n")
  math(EXPR count "${count} + 1")
endforeach()

if(count EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} has no test cases")
endif()
file(WRITE "${CTEST_FILE}" "${script}")
