// Placeholder translation unit until the module's issue lands.
namespace mctl::templates {
int module_placeholder() { return 0; }
}  // namespace mctl::templates
