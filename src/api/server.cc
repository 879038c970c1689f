// The socket layer: Boost.Beast HTTP/1.1 on Asio C++20 coroutines. It only
// moves bytes; what a request means is decided by Router.
#include "api/server.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <cstdio>
#include <thread>
#include <vector>

#include "access/policy.h"
#include "api/router.h"

namespace onechild {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr size_t kMaxBodyBytes = size_t{64} * 1024;  // forms are small

api::HttpRequest to_request(const http::request<http::string_body>& req) {
  const auto header = [&](http::field f) { return std::string(req[f]); };
  api::HttpRequest r{std::string(req.method_string()), std::string(req.target()),
                     header(http::field::cookie),      header(http::field::origin),
                     header(http::field::host),        req.body()};
  r.authorization = header(http::field::authorization);
  r.prefer = std::string(req["Prefer"]);
  r.if_none_match = header(http::field::if_none_match);
  return r;
}

http::response<http::string_body> to_response(api::HttpResponse r, unsigned version,
                                              bool keep_alive, bool head) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "onechild");
  res.set(http::field::content_type, r.content_type);
  for (auto& [name, value] : r.headers)
    res.insert(name, value);
  res.keep_alive(keep_alive);
  const size_t length = r.body.size();
  if (!head) res.body() = std::move(r.body);
  res.content_length(length);
  return res;
}

asio::awaitable<void> session(beast::tcp_stream stream, api::Router& router) {
  beast::flat_buffer buffer;
  try {
    for (;;) {
      stream.expires_after(kIdleTimeout);
      http::request_parser<http::string_body> parser;
      parser.body_limit(kMaxBodyBytes);
      co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
      auto req = parser.release();
      const bool keep_alive = req.keep_alive();
      auto res = to_response(router.handle(to_request(req)), req.version(), keep_alive,
                             req.method() == http::verb::head);
      co_await http::async_write(stream, res, asio::use_awaitable);
      if (!keep_alive) break;
    }
  } catch (const boost::system::system_error& e) {
    // A closed or timed-out connection is routine; anything else is worth a line.
    if (e.code() != http::error::end_of_stream && e.code() != beast::error::timeout &&
        e.code() != asio::error::connection_reset && e.code() != asio::error::eof) {
      std::fprintf(stderr, "onechild serve: connection: %s\n", e.code().message().c_str());
    }
  }
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, api::Router& router) {
  const auto start = [&](tcp::socket socket) {
    asio::co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket)), router),
                   asio::detached);
  };
  // The acceptor is non-blocking: after each wake-up every connection already
  // waiting is taken at once. Accepting one per turn of the event loop left
  // the last of 500 clients opening together waiting seconds behind the
  // requests of those accepted first.
  acceptor.non_blocking(true);
  for (;;) {
    start(co_await acceptor.async_accept(asio::use_awaitable));
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = acceptor.accept(ec);
      if (ec) break;  // would block: none waiting (or a transient error: wait again)
      start(std::move(socket));
    }
  }
}

}  // namespace

Status serve(const ServerOptions& options, const std::function<void(uint16_t port)>& on_ready) {
  // Open once up front so a bad path or a newer schema fails here, clearly.
  if (auto db = Database::open(options.db_path); !db.ok()) return db.error();
  // The access policy too: a bad one stops the server here, with the line.
  if (auto policy = AccessPolicy::load(AccessPolicy::default_path()); !policy.ok()) {
    return policy.error();
  }
  api::ConnectionPool pool(options.db_path);
  api::Checkpointer checkpointer(options.db_path, std::chrono::milliseconds(500));
  api::Router router(pool, options.web_dir.empty() ? ONECHILD_WEB_DIR : options.web_dir,
                     api::Router::default_config_dir(), options.reference_dir);

  asio::io_context ioc(options.threads);
  tcp::acceptor acceptor(ioc);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) return Error::invalid_argument("--host '" + options.host + "' is not an IP address");
  const tcp::endpoint endpoint(address, options.port);
  if (acceptor.open(endpoint.protocol(), ec); !ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::io_error("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                           ": " + ec.message());
  }

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
  asio::co_spawn(ioc, accept_loop(acceptor, router), [&](const std::exception_ptr& e) {
    if (e) ioc.stop();
  });
  on_ready(acceptor.local_endpoint().port());
  // Today's worklists, case-finding and data quality figures take seconds to
  // build on a large ICS: build them now, beside the first requests (which
  // wait for the shared result rather than build their own).
  std::jthread warming;
  if (options.warm) warming = std::jthread([&router] { router.warm(); });

  std::vector<std::thread> workers;
  for (int i = 1; i < options.threads; ++i)
    workers.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : workers)
    t.join();
  return {};
}

}  // namespace onechild
