//! The JSON form of each consent, as JS receives it: the serde derives' camelCase shape,
//! written by hand so the wasm carries no serde serializer (tests check they agree).

use super::{
    AuthCodeConsent, DataConsent, LoginCodeConsent, PushConsent, RejectReason, Rejection, SubscribeOutcome,
    SubscriptionGrants, UserProfile,
};
use crate::json_write::{JsonObject, ToJson};
use crate::prelude::*;

impl RejectReason {
    /// The name in JS results (`"reject"`, `"noToken"`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            RejectReason::Reject => "reject",
            RejectReason::Ban => "ban",
            RejectReason::Filter => "filter",
            RejectReason::NoToken => "noToken",
            RejectReason::InvalidToken => "invalidToken",
            RejectReason::Missing => "missing",
            RejectReason::UnknownType => "unknownType",
        }
    }
}

impl ToJson for DataConsent {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("kind", self.kind.as_str())
            .field("platform", &self.platform)
            .field("token", self.token.expose())
            .field("obtainedAt", &self.obtained_at)
            .field("expiresAt", &self.expires_at)
            .end();
    }
}

impl ToJson for PushConsent {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("templateId", &self.template_id)
            .field("pushToken", self.push_token.expose())
            .field("obtainedAt", &self.obtained_at)
            .field("expiresAt", &self.expires_at)
            .end();
    }
}

impl ToJson for Rejection {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out).field("templateId", &self.template_id).field("reason", self.reason.as_str()).end();
    }
}

impl ToJson for SubscribeOutcome {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out).field("accepted", &self.accepted).field("rejected", &self.rejected).end();
    }
}

impl ToJson for UserProfile {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("nickName", &self.nick_name)
            .field("avatar", &self.avatar)
            .field("gender", &self.gender)
            .field("countryCode", &self.country_code)
            .field("province", &self.province)
            .field("city", &self.city)
            .end();
    }
}

impl ToJson for AuthCodeConsent {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("authCode", self.auth_code.expose())
            .field("grantedScopes", &self.granted_scopes)
            .field("obtainedAt", &self.obtained_at)
            .field("expiresAt", &self.expires_at)
            .end();
    }
}

impl ToJson for SubscriptionGrants {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("platform", &self.platform)
            .field("accepted", &self.accepted)
            .field("rejected", &self.rejected)
            .field("obtainedAt", &self.obtained_at)
            .end();
    }
}

impl ToJson for LoginCodeConsent {
    fn write_json(&self, out: &mut String) {
        JsonObject::new(out)
            .field("platform", &self.platform)
            .field("loginCode", self.login_code.expose())
            .field("obtainedAt", &self.obtained_at)
            .field("expiresAt", &self.expires_at)
            .end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{DataKind, Platform, Token};
    use serde::Serialize;

    fn same<T: ToJson + Serialize>(value: &T) {
        let ours: serde_json::Value = serde_json::from_str(&value.to_json()).unwrap_or_default();
        assert_eq!(Some(ours), serde_json::to_value(value).ok(), "{}", value.to_json());
    }

    fn token(s: &str) -> Token {
        Token::parse(s, "token").unwrap_or_else(|_| panic!("valid token"))
    }

    #[test]
    fn every_result_matches_its_serde_shape() {
        for kind in [DataKind::PhoneNumber, DataKind::OpenId, DataKind::Email] {
            same(&DataConsent {
                kind,
                platform: Platform::Binance,
                token: token("t\"1"),
                obtained_at: 1,
                expires_at: u64::MAX,
            });
            same(&DataConsent::on(Platform::Wechat, kind, token("w"), 1));
        }
        let reasons = [
            RejectReason::Reject,
            RejectReason::Ban,
            RejectReason::Filter,
            RejectReason::NoToken,
            RejectReason::InvalidToken,
            RejectReason::Missing,
            RejectReason::UnknownType,
        ];
        same(&SubscribeOutcome {
            accepted: vec![PushConsent {
                template_id: "a".into(),
                push_token: token("p"),
                obtained_at: 2,
                expires_at: 3,
            }],
            rejected: reasons.iter().map(|&reason| Rejection { template_id: "\u{1}é".into(), reason }).collect(),
        });
        same(&SubscribeOutcome::default());
        same(&UserProfile { nick_name: "n\\".into(), avatar: "https://a".into(), ..UserProfile::default() });
        same(&AuthCodeConsent {
            auth_code: token("c"),
            granted_scopes: vec!["auth_user".into(), "x".into()],
            obtained_at: 4,
            expires_at: 5,
        });
        for platform in [Platform::Wechat, Platform::Alipay] {
            same(&SubscriptionGrants {
                platform,
                accepted: vec!["a\"".into()],
                rejected: vec![Rejection { template_id: "b".into(), reason: RejectReason::Ban }],
                obtained_at: 6,
            });
            same(&LoginCodeConsent::new(platform, token("l"), 7));
        }
    }
}
