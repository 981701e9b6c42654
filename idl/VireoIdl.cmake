# vireo_idl_generate(TARGET <lib> IDL <file.xidl> [NAME <base>] [OUTPUT_DIR <dir>]
#                    [DOC_DIR <dir>])
#
# Runs vireo-idlc on the IDL and builds a static library <lib> from the generated skeleton
# and proxy, linked to vireo_component. The header is <OUTPUT_DIR>/<NAME>.h; OUTPUT_DIR
# defaults to the calling folder's build dir, so with the build tree on the include path a
# source writes e.g. #include "svc/api/vireo.h" for OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/api.
# <NAME>.xml (introspection) and <NAME>.md (reference) are generated next to it and copied
# into DOC_DIR if given. Editing the IDL regenerates on the next build; unchanged outputs
# keep their timestamps, so dependents do not rebuild.
function(vireo_idl_generate)
  cmake_parse_arguments(A "" "TARGET;IDL;NAME;OUTPUT_DIR;DOC_DIR" "" ${ARGN})
  if(NOT A_TARGET OR NOT A_IDL)
    message(FATAL_ERROR "vireo_idl_generate: TARGET and IDL are required")
  endif()
  if(NOT A_NAME)
    get_filename_component(A_NAME ${A_IDL} NAME_WE)
  endif()
  if(NOT A_OUTPUT_DIR)
    set(A_OUTPUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  set(out ${A_OUTPUT_DIR}/${A_NAME})
  set(stamp ${A_OUTPUT_DIR}/${A_NAME}.stamp)
  set(generated ${out}.h ${out}-skeleton.c ${out}-proxy.c ${out}.xml ${out}.md)
  set(copy_docs "")
  if(A_DOC_DIR)
    set(copy_docs COMMAND ${CMAKE_COMMAND} -E make_directory ${A_DOC_DIR}
                  COMMAND ${CMAKE_COMMAND} -E copy_if_different ${out}.md ${out}.xml ${A_DOC_DIR})
  endif()
  add_custom_command(
    OUTPUT ${stamp}
    BYPRODUCTS ${generated}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${A_OUTPUT_DIR}
    COMMAND $<TARGET_FILE:vireo-idlc> --out ${A_OUTPUT_DIR} --name ${A_NAME} ${A_IDL}
    ${copy_docs}
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${A_IDL} vireo-idlc
    COMMENT "vireo-idlc ${A_IDL}"
    VERBATIM)
  add_custom_target(${A_TARGET}_gen DEPENDS ${stamp})
  add_library(${A_TARGET} STATIC ${out}-skeleton.c ${out}-proxy.c)
  set_source_files_properties(${out}-skeleton.c ${out}-proxy.c ${out}.h PROPERTIES GENERATED TRUE)
  add_dependencies(${A_TARGET} ${A_TARGET}_gen)
  target_link_libraries(${A_TARGET} PUBLIC vireo_component)
  target_include_directories(${A_TARGET} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  set_target_properties(${A_TARGET} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
