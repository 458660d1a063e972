// Placeholder translation unit until the module's issue lands.
namespace mctl::vault {
int module_placeholder() { return 0; }
}  // namespace mctl::vault
