#include "api/web/modules.h"

namespace onechild::api {

// Being written (issue 9).
std::optional<HttpResponse> ig_pages(PageContext&) { return std::nullopt; }

}  // namespace onechild::api
