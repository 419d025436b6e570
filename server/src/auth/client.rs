//! The client's address, for rate limits and the audit log: the TCP peer,
//! or — only when a trusted proxy header is configured and the peer is one
//! of the trusted proxies — the address that header names.

use std::net::IpAddr;
use std::str::FromStr;

use actix_web::http::header::HeaderName;
use actix_web::HttpRequest;
use ipnet::IpNet;

/// How to find the client address.
#[derive(Debug, Clone, Default)]
pub struct ClientAddrPolicy {
    /// The header a trusted proxy writes (`X-Forwarded-For`, `X-Real-IP` or
    /// `Forwarded`), if any.
    pub header: Option<HeaderName>,
    /// Peers whose header is believed.
    pub trusted: Vec<IpNet>,
}

impl ClientAddrPolicy {
    /// A policy from the configuration: `header` (e.g. `X-Forwarded-For`)
    /// and the trusted proxies as addresses or networks (`10.0.0.0/8`).
    /// Without proxies, a configured header trusts loopback peers only (a
    /// proxy on the same machine).
    pub fn new(header: Option<&str>, trusted: &[String]) -> anyhow::Result<Self> {
        let header = header
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(|h| {
                HeaderName::from_str(h)
                    .map_err(|_| anyhow::anyhow!("--trusted-proxy-header: `{h}` is no header name"))
            })
            .transpose()?;
        let mut nets = Vec::new();
        for text in trusted.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let net = IpNet::from_str(text)
                .or_else(|_| IpAddr::from_str(text).map(IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!("--trusted-proxy: `{text}` is no address or network")
                })?;
            nets.push(net);
        }
        if header.is_some() && nets.is_empty() {
            nets = ["127.0.0.0/8", "::1/128"]
                .iter()
                .filter_map(|n| IpNet::from_str(n).ok())
                .collect();
        }
        Ok(ClientAddrPolicy {
            header,
            trusted: nets,
        })
    }

    fn is_trusted(&self, addr: IpAddr) -> bool {
        let addr = canonical(addr);
        self.trusted.iter().any(|net| net.contains(&addr))
    }

    /// The client address of `req`.
    pub fn client_addr(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = canonical(req.peer_addr()?.ip());
        let Some(header) = &self.header else {
            return Some(peer);
        };
        if !self.is_trusted(peer) {
            return Some(peer);
        }
        // Proxies append, so the rightmost address that is not one of our
        // trusted proxies is the client; anything left of it could have been
        // written by the client itself.
        let mut hops: Vec<IpAddr> = Vec::new();
        for value in req.headers().get_all(header) {
            let Ok(value) = value.to_str() else {
                return Some(peer);
            };
            for part in value.split(',') {
                match parse_hop(part, header.as_str() == "forwarded") {
                    Some(ip) => hops.push(ip),
                    None => return Some(peer),
                }
            }
        }
        Some(
            hops.into_iter()
                .rev()
                .find(|ip| !self.is_trusted(*ip))
                .unwrap_or(peer),
        )
    }
}

/// `::ffff:1.2.3.4` → `1.2.3.4`, so IPv4 rules match mapped addresses.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// One hop of an `X-Forwarded-For` list (`1.2.3.4`, `1.2.3.4:5678`,
/// `[::1]:80`) or of a `Forwarded` header (`for=1.2.3.4;proto=https`).
fn parse_hop(part: &str, forwarded: bool) -> Option<IpAddr> {
    let mut text = part.trim();
    if forwarded {
        text = text
            .split(';')
            .map(str::trim)
            .find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then_some(v.trim())
            })?
            .trim_matches('"');
    }
    if let Ok(ip) = IpAddr::from_str(text) {
        return Some(canonical(ip));
    }
    if let Some(rest) = text.strip_prefix('[') {
        return IpAddr::from_str(rest.split(']').next()?)
            .ok()
            .map(canonical);
    }
    let (host, _port) = text.rsplit_once(':')?;
    IpAddr::from_str(host).ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn req(peer: &str, header: Option<(&str, &str)>) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(peer.parse().unwrap());
        if let Some(h) = header {
            r = r.insert_header(h);
        }
        r.to_http_request()
    }

    #[test]
    fn without_a_header_setting_the_peer_is_the_client() {
        let policy = ClientAddrPolicy::new(None, &[]).unwrap();
        let r = req("10.0.0.5:4000", Some(("x-forwarded-for", "1.2.3.4")));
        assert_eq!(policy.client_addr(&r), Some("10.0.0.5".parse().unwrap()));
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let policy =
            ClientAddrPolicy::new(Some("X-Forwarded-For"), &["10.0.0.0/8".into()]).unwrap();
        let from_proxy = req(
            "10.0.0.5:4000",
            Some(("x-forwarded-for", "9.9.9.9, 1.2.3.4")),
        );
        assert_eq!(
            policy.client_addr(&from_proxy),
            Some("1.2.3.4".parse().unwrap())
        );
        let direct = req("8.8.8.8:4000", Some(("x-forwarded-for", "1.2.3.4")));
        assert_eq!(
            policy.client_addr(&direct),
            Some("8.8.8.8".parse().unwrap())
        );
        let chained = req(
            "10.0.0.5:4000",
            Some(("x-forwarded-for", "1.2.3.4, 10.0.0.7")),
        );
        assert_eq!(
            policy.client_addr(&chained),
            Some("1.2.3.4".parse().unwrap())
        );
        let garbage = req("10.0.0.5:4000", Some(("x-forwarded-for", "nonsense")));
        assert_eq!(
            policy.client_addr(&garbage),
            Some("10.0.0.5".parse().unwrap())
        );
    }

    #[test]
    fn a_configured_header_trusts_loopback_by_default_and_reads_forwarded() {
        let policy = ClientAddrPolicy::new(Some("Forwarded"), &[]).unwrap();
        let r = req(
            "127.0.0.1:4000",
            Some(("forwarded", "for=\"[2001:db8::1]:443\";proto=https")),
        );
        assert_eq!(policy.client_addr(&r), Some("2001:db8::1".parse().unwrap()));
        assert!(ClientAddrPolicy::new(Some("X-Forwarded-For"), &["nope".into()]).is_err());
    }
}
