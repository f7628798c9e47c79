# The collector registry. Each area's CMakeLists.txt registers its collectors with one line
# per source file:
#
#   triad_collectors(pam.cpp kPamCollector)
#   triad_collectors(selinux.cpp kSelinuxCollector kSelinuxFilesCollector OPTION TRIAD_WITH_SELINUX)
#
# The source is compiled into triad_scanner, and each entry (declared in the header beside
# the source: pam.h) gets a row in the registry table. With OPTION, and that option OFF,
# the source is not compiled and the row is the entry's spec (kSelinuxCollectorSpec, kept
# in the header) marked as left out: policies that select it still load, and its checks
# get the verdict error. triad_write_collector_table() writes the table once every area
# has been read; the table's order is the order of these lines.

function(triad_collectors source)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OPTION" "")
  set(entries ${arg_UNPARSED_ARGUMENTS})
  if(NOT entries)
    message(FATAL_ERROR "triad_collectors(${source}): name the entries it defines")
  endif()
  set(built ON)
  if(arg_OPTION)
    if(NOT DEFINED ${arg_OPTION})
      message(FATAL_ERROR "triad_collectors(${source}): option ${arg_OPTION} is not declared (top-level CMakeLists.txt)")
    endif()
    set(built ${${arg_OPTION}})
  endif()
  if(built)
    target_sources(triad_scanner PRIVATE ${source})
  endif()
  file(RELATIVE_PATH header ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/${source})
  string(REGEX REPLACE "\\.cpp$" ".h" header ${header})
  # One record per entry, "header|entry|option|built"; no ';' in them, so they stay list items.
  foreach(entry IN LISTS entries)
    set_property(GLOBAL APPEND PROPERTY TRIAD_COLLECTORS "${header}|${entry}|${arg_OPTION}|${built}")
  endforeach()
endfunction()

function(triad_write_collector_table template output)
  get_property(records GLOBAL PROPERTY TRIAD_COLLECTORS)
  set(includes "")
  set(left_out "")
  set(spec_checks "")
  set(rows "")
  set(seen_headers "")
  foreach(record IN LISTS records)
    string(REPLACE "|" ";" fields "${record}")
    list(GET fields 0 header)
    list(GET fields 1 entry)
    list(GET fields 2 option)
    list(GET fields 3 built)
    if(NOT header IN_LIST seen_headers)
      list(APPEND seen_headers ${header})
      string(APPEND includes "#include \"${header}\"\n")
    endif()
    if(built)
      string(APPEND rows "    &${entry},\n")
      if(option)
        string(APPEND spec_checks "static_assert(${entry}Spec.collect == nullptr, \"${entry}Spec: the spec in the header has no collect function\");\n")
      endif()
    else()
      string(APPEND left_out "constexpr CollectorEntry ${entry}LeftOut = left_out(${entry}Spec, \"${option}\");\n")
      string(APPEND rows "    &${entry}LeftOut,\n")
    endif()
  endforeach()
  set(optional "")
  if(spec_checks)
    string(APPEND optional
      "// Optional collectors that are built must still keep their specs in the header, or a\n"
      "// build without their library would break unnoticed.\n${spec_checks}\n")
  endif()
  if(left_out)
    string(APPEND optional "// Collectors whose build option was OFF: their specs, marked as left out.\n${left_out}\n")
  endif()
  string(STRIP "${includes}" TRIAD_COLLECTOR_INCLUDES)
  set(TRIAD_COLLECTOR_OPTIONAL "${optional}")
  string(REGEX REPLACE "\n$" "" TRIAD_COLLECTOR_ROWS "${rows}")
  configure_file(${template} ${output} @ONLY)
endfunction()
