# Bash completion for nnfield: generated at build time by the built program
# (`nnfield completion bash`, from the parser's own option tables, so it never goes
# stale) and installed where bash-completion loads completions on demand.
# Include after add_subdirectory(src), which defines the nnfield target.
include(GNUInstallDirs)
set(NNFIELD_BASH_COMPLETION ${PROJECT_BINARY_DIR}/completion/nnfield)
add_custom_command(
  OUTPUT ${NNFIELD_BASH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/completion
  COMMAND sh -c "\"$1\" completion bash > \"$2\"" sh $<TARGET_FILE:nnfield> ${NNFIELD_BASH_COMPLETION}
  DEPENDS nnfield
  COMMENT "bash completion (nnfield completion bash)"
  VERBATIM)
add_custom_target(nnfield_bash_completion ALL DEPENDS ${NNFIELD_BASH_COMPLETION})
install(FILES ${NNFIELD_BASH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
