# Layer targets. Every header is included by its path from the project root
# ("scanner/core/sysroot.h"); a layer's include root holds a link to that layer's folder
# alone, so a target sees its own headers and those of the layers it links, never a
# layer above it.
function(triad_layer target folder)
  add_library(${target} STATIC)
  set(include_root ${PROJECT_BINARY_DIR}/include/${folder})
  file(MAKE_DIRECTORY ${include_root})
  if(NOT EXISTS ${include_root}/${folder})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${include_root}/${folder} SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC ${include_root})
endfunction()
