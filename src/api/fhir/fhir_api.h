// The FHIR R4 API under /fhir/R4 (docs/fhir.md): the CapabilityStatement,
// read and search of the record's resources, Patient/{id}/$everything and
// Bulk Data $export.
//
// Every call goes through the same access control as the web pages
// (access_control.h: role, legitimate relationship, sensitivity) and into
// the audit log, refusals included. Every error is an OperationOutcome with
// the HTTP status that fits (400, 401, 403, 404, 405, 406, 429, 500).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "access/access_control.h"
#include "core/error.h"
#include "store/database.h"

namespace onechild::api {

struct HttpRequest;
struct HttpResponse;

namespace fhir {

class BulkExporter;

class FhirApi {
 public:
  // The policy is read at each request, so it may be filled in after this
  // object is made (it must outlive it).
  explicit FhirApi(const AccessPolicy& policy);
  ~FhirApi();  // stops running exports
  FhirApi(const FhirApi&) = delete;
  FhirApi& operator=(const FhirApi&) = delete;

  // path: the request's path, starting "/fhir/R4"; query: after '?'.
  // principal: who is asking (from a bearer token or the web session), or
  // the Unauthenticated error saying why nobody is. Never throws.
  HttpResponse handle(const HttpRequest& request, const std::string& path, const std::string& query,
                      const Result<Principal>& principal, Database& db);

 private:
  class Call;
  BulkExporter& exporter(Database& db);

  const AccessPolicy& policy_;
  std::mutex mutex_;
  std::unique_ptr<BulkExporter> exporter_;  // made on the first export: it needs the db path
};

}  // namespace fhir
}  // namespace onechild::api
