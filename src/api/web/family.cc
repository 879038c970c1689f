#include "api/web/modules.h"

namespace onechild::api {

// Being written (issue 9).
std::optional<HttpResponse> family_pages(PageContext&) { return std::nullopt; }

}  // namespace onechild::api
