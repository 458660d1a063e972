// fmt's implementation, compiled once for the whole binary.
//
// Debian 12 ships fmt 9 as headers and a shared library only (no libfmt.a). Header-only mode
// (FMT_HEADER_ONLY) makes every object compile format-inl.h again: about a third of each
// object's compile time (README's first command builds ~130 of them). The static build
// compiles Debian's format-inl.h here instead, with the explicit instantiations that
// format.h declares `extern` (or leaves to the library) for the character types mctl uses.
// No code of fmt is copied: this file only includes Debian's header.
#include <fmt/format-inl.h>

#include <locale>

FMT_BEGIN_NAMESPACE
namespace detail {

template auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

template locale_ref::locale_ref(const std::locale& loc);
template auto locale_ref::get<std::locale>() const -> std::locale;

template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template auto decimal_point_impl(locale_ref) -> char;
template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template auto decimal_point_impl(locale_ref) -> wchar_t;

}  // namespace detail
FMT_END_NAMESPACE
