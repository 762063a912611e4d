# Common compile settings for every nettool target: C++20, strict warnings, optional sanitizers.
function(nettool_target_settings target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  # GCC 12 reports false -Wrestrict and -Wmaybe-uninitialized positives inside inlined std::string
  # code at -O2/-O3 (GCC bugs 105329, 107138); they are not findings about our code.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-maybe-uninitialized)
  endif()
  if(NETTOOL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(NETTOOL_SANITIZE)
    target_compile_options(${target} PUBLIC -fsanitize=address,undefined -fno-omit-frame-pointer
                                            -fno-sanitize-recover=undefined)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

# nettool_library(NAME SOURCES... DEPS...): libs/<name> as static library nettool_<name>,
# public headers under libs/<name>/include.
function(nettool_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(nettool_${name} STATIC ${ARG_SOURCES})
  add_library(nettool::${name} ALIAS nettool_${name})
  target_include_directories(nettool_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(nettool_${name} PUBLIC ${ARG_DEPS})
  nettool_target_settings(nettool_${name})
endfunction()

# nettool_test(NAME SOURCES... DEPS...): a Catch2 test executable, one CTest entry per test case
# (nettool_discover_catch_tests: whole names, a filter matching nothing fails, NETTOOL_SKIP shows as Skipped).
function(nettool_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE nettool_catch_main nettool_test_support ${ARG_DEPS})
  nettool_target_settings(${name})
  nettool_discover_catch_tests(${name} PROPERTIES LABELS unit)
endfunction()

# nettool_script_test(NAME SCRIPT [LABELS ...]): a shell test; exit 77 means skipped (it prints why).
# The script gets the nettool binary as $1 and the source dir as $2.
function(nettool_script_test name script)
  cmake_parse_arguments(ARG "" "TIMEOUT" "LABELS" ${ARGN})
  add_test(NAME ${name} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/${script} $<TARGET_FILE:nettool> ${PROJECT_SOURCE_DIR})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT ${ARG_TIMEOUT} LABELS "script;${ARG_LABELS}")
endfunction()
