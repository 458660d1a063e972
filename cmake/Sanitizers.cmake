# -DMCTL_SANITIZE=address,undefined builds everything with those sanitizers.
function(mctl_apply_sanitizers target)
  if(MCTL_SANITIZE)
    set(flags -fsanitize=${MCTL_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_compile_options(${target} INTERFACE ${flags})
    target_link_options(${target} INTERFACE ${flags})
  endif()
endfunction()
