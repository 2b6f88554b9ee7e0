# Compiles files of the source tree into the binary (SPEC §10: the OpenAPI
# document, and the web page's assets), so a deployed herald needs no files
# beside it. Each is found by its path relative to the project's root.
function(herald_embed_files out_var)
  set(entries "")
  foreach(relative ${ARGN})
    set(file ${PROJECT_SOURCE_DIR}/${relative})
    file(READ ${file} content)
    # Editing an embedded file re-runs this step.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
    string(APPEND entries "    {\"${relative}\", R\"herald_file(${content})herald_file\"},\n")
  endforeach()
  set(HERALD_EMBEDDED_ENTRIES "${entries}")
  set(out ${CMAKE_CURRENT_BINARY_DIR}/generated/embedded_files.cc)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/embedded_files.cc.in ${out} @ONLY)
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
