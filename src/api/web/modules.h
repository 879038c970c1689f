// The web application's page modules, one per user need (DESIGN §2). Each
// answers the paths it owns and returns std::nullopt for any other; the
// router (router.cc) offers every signed-in request to them in this order.
#pragma once

#include "api/http_util.h"
#include "api/web/page.h"

namespace onechild::api {

std::optional<HttpResponse> home_pages(PageContext& ctx);          // /  (by role)
std::optional<HttpResponse> search_pages(PageContext& ctx);        // /search
std::optional<HttpResponse> record_pages(PageContext& ctx);        // /children/{id}...
std::optional<HttpResponse> family_pages(PageContext& ctx);        // /family...
std::optional<HttpResponse> worklist_pages(PageContext& ctx);      // /worklists, /hub...
std::optional<HttpResponse> notification_pages(PageContext& ctx);  // /notifications
std::optional<HttpResponse> outcomes_pages(PageContext& ctx);      // /outcomes..., /board
std::optional<HttpResponse> linkage_pages(PageContext& ctx);       // /linkage...
std::optional<HttpResponse> data_quality_pages(PageContext& ctx);  // /data-quality
std::optional<HttpResponse> ig_pages(PageContext& ctx);            // /ig...

inline constexpr PageHandler kPageModules[] = {
    home_pages,         search_pages,   record_pages,  family_pages,       worklist_pages,
    notification_pages, outcomes_pages, linkage_pages, data_quality_pages, ig_pages,
};

}  // namespace onechild::api
