// One indicator: GET /outcomes/{id}[?breakdown=], /outcomes/{id}.json (the
// charts' data) and /outcomes/{id}.csv?breakdown= (a download).
#pragma once

#include <string>

#include "api/web/page.h"

namespace onechild::api {

// `rest` is the path after "/outcomes/". The caller has checked the method
// and the role.
HttpResponse indicator_pages(PageContext& ctx, const std::string& rest);

}  // namespace onechild::api
