# Warning flags for the project's own C sources (not for public-header consumers).
set(PLEX_WARNING_FLAGS
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wvla -Wcast-qual -Wpointer-arith -Wundef -Wwrite-strings)
if(PLEX_WERROR)
  list(APPEND PLEX_WARNING_FLAGS -Werror)
endif()

function(plex_target_warnings target)
  target_compile_options(${target} PRIVATE ${PLEX_WARNING_FLAGS})
endfunction()
