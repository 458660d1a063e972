function(mctl_apply_warnings target)
  target_compile_options(${target} INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wformat=2
    -Wno-missing-field-initializers  # aggregates like http::Request{"GET", url} are idiomatic here
    # A function with external linkage and no declaration in a header is either private (an
    # anonymous namespace or static) or a command nobody registers (add_images_gc was one).
    $<$<COMPILE_LANGUAGE:CXX>:-Wmissing-declarations>)
  if(MCTL_WERROR)
    target_compile_options(${target} INTERFACE -Werror)
  endif()
endfunction()
