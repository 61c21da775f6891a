// The application: the routing table, the maintenance switch checked once
// before dispatch, and the handlers that turn requests into page renders.
#include <cstdio>

#include "gateway/gateway.h"
#include "pages/pages.h"

namespace shiori::gateway {
namespace {

// Same-site links and form fields for a request. Sessions, the charset probe
// and CSRF tokens are added here as the gateway grows them.
class RequestLinks : public pages::Links {
 public:
  std::string Url(std::string_view path, const Query& query) const override {
    std::string u(path);
    char sep = '?';
    for (const auto& [k, v] : query) {
      u += sep;
      u += PercentEncode(k);
      u += '=';
      u += PercentEncode(v);
      sep = '&';
    }
    return u;
  }
  void FormFields(pages::Html&, bool) const override {}
};

// Everything a handler gets besides the request.
struct Ctx {
  db::Connection& db;
  pages::Device device;
  RequestLinks links;
  const Config& cfg;
  pages::Context page() const { return pages::Context{device, links, cfg.rules.library_name}; }
};

Response Html(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

struct App::Impl {
  using Handler = Response (Impl::*)(const Request&, Ctx&);
  struct Route {
    const char* method;
    const char* path;
    Handler handler;
    bool public_page;  // answers 503 while the service is off
  };

  Config cfg;
  std::unique_ptr<db::Pool> pool;
  std::vector<Route> routes;

  Impl(const Config& c, std::unique_ptr<db::Pool> p) : cfg(c), pool(std::move(p)) {
    routes = {
        {"GET", "/", &Impl::Top, true},
        {"GET", "/disclaimer", &Impl::Disclaimer, true},
        {"GET", "/healthz", &Impl::Health, false},
    };
  }

  Response Top(const Request& req, Ctx& ctx) {
    pages::TopView v;
    v.query = std::string(req.Param("q"));
    return Html(200, pages::RenderTop(ctx.page(), v));
  }

  Response Disclaimer(const Request&, Ctx& ctx) {
    return Html(200, pages::RenderDisclaimer(ctx.page()));
  }

  Response Health(const Request&, Ctx& ctx) {
    Response r;
    r.content_type = "text/plain; charset=UTF-8";
    Status s = db::Ping(ctx.db);
    if (!s.ok()) {
      r.status = 503;
      r.body = "database: error\n";
      return r;
    }
    auto m = db::MaintenanceOn(ctx.db);
    r.body = "ok\nmaintenance: ";
    r.body += (cfg.maintenance || (m.ok() && *m)) ? "on\n" : "off\n";
    return r;
  }

  Response Dispatch(const Request& req) {
    auto lease = pool->Acquire();
    Ctx ctx{*lease, pages::Device{}, RequestLinks{}, cfg};
    // HEAD is answered as GET; libmicrohttpd sends no body for it.
    std::string_view method = req.method;
    if (method == "HEAD") method = "GET";
    const Route* route = nullptr;
    bool path_known = false;
    for (const auto& r : routes) {
      if (req.path != r.path) continue;
      path_known = true;
      if (method == r.method) route = &r;
    }
    if (!route || route->public_page) {
      auto m = db::MaintenanceOn(ctx.db);
      if (cfg.maintenance || !m.ok() || *m) {
        Response r = Html(503, pages::RenderMaintenance(ctx.page()));
        (void)r.SetHeader("Retry-After", "3600");
        return r;
      }
    }
    if (!route) {
      if (path_known) {
        Response r = Html(405, pages::RenderError(ctx.page(), "この操作はできません",
                                                  "このページはこの方法では開けません。"));
        (void)r.SetHeader("Allow", "GET, HEAD");
        return r;
      }
      return Html(404, pages::RenderNotFound(ctx.page()));
    }
    return (this->*(route->handler))(req, ctx);
  }
};

App::App(const Config& cfg, std::unique_ptr<db::Pool> pool)
    : impl_(std::make_unique<Impl>(cfg, std::move(pool))) {}
App::~App() = default;

Response App::Handle(const Request& req) {
  Response r;
  try {
    r = impl_->Dispatch(req);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shiori: handler failed: %s\n", e.what());
    r = Response();
    r.status = 500;
    r.body = "<!DOCTYPE html><html lang=\"ja\"><title>エラー</title><h1>エラー</h1>"
             "<p>ただいま処理できません。</p></html>";
  }
  (void)r.SetHeader("X-Content-Type-Options", "nosniff");
  (void)r.SetHeader("Referrer-Policy", "no-referrer");
  return r;
}

}  // namespace shiori::gateway
