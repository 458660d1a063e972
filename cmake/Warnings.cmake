function(mctl_apply_warnings target)
  target_compile_options(${target} INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wformat=2
    -Wno-missing-field-initializers)  # aggregates like http::Request{"GET", url} are idiomatic here
  if(MCTL_WERROR)
    target_compile_options(${target} INTERFACE -Werror)
  endif()
endfunction()
