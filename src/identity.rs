//! Who is acting. A plain workspace is single-operator: `--as` / `CASEFLOW_USER` name the
//! actor freely (the OS user is only the default). A team workspace (`init --team`) is
//! shared by several people on one server: the actor is the person whose `os_user` in
//! org.yaml is the operating-system account running the command, and only members of
//! `admins` may act for someone else with `--as`, which every event then records as
//! "frank as alice".
//!
//! The rule is pure: the shell reads the OS account and the workspace's mode and passes
//! them in.

use crate::org::{Org, ADMINS};

/// The outcome: who the engine sees acting, and who was really at the keyboard when that
/// differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub actor: String,
    pub operator: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the OS account `{os_user}` is not anyone in org.yaml, and this is a team workspace")]
    UnknownAccount { os_user: String },
    #[error("{person} (OS account `{os_user}`) may not act as `{requested}`: only members of `{ADMINS}` may use --as in a team workspace")]
    NotAdmin {
        person: String,
        os_user: String,
        requested: String,
    },
    #[error("--as `{requested}` is not a person in org.yaml{suggestion}")]
    UnknownPerson {
        requested: String,
        suggestion: String,
    },
}

/// The person mapped to an OS account: `os_user:` first, else a person whose id is the
/// account name and who has no `os_user:` of their own.
pub fn person_of_account<'o>(org: &'o Org, os_user: &str) -> Option<&'o str> {
    org.people
        .iter()
        .find(|(_, p)| p.os_user.as_deref() == Some(os_user))
        .or_else(|| {
            org.people
                .get_key_value(os_user)
                .filter(|(_, p)| p.os_user.is_none())
        })
        .map(|(id, _)| id.as_str())
}

/// Decide who acts in a team workspace, given the OS account and an optional `--as`.
pub fn team_identity(
    org: &Org,
    os_user: &str,
    requested: Option<&str>,
) -> Result<Identity, IdentityError> {
    let person = person_of_account(org, os_user).ok_or_else(|| IdentityError::UnknownAccount {
        os_user: os_user.to_string(),
    })?;
    let Some(requested) = requested.filter(|r| *r != person) else {
        return Ok(Identity {
            actor: person.to_string(),
            operator: None,
        });
    };
    if !org.is_admin(person) {
        return Err(IdentityError::NotAdmin {
            person: person.to_string(),
            os_user: os_user.to_string(),
            requested: requested.to_string(),
        });
    }
    if org.person(requested).is_none() {
        return Err(IdentityError::UnknownPerson {
            requested: requested.to_string(),
            suggestion: crate::org::suggest(requested, org.people.keys()),
        });
    }
    Ok(Identity {
        actor: requested.to_string(),
        operator: Some(person.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Org {
        let yaml = "people:\n  frank: { name: Frank, groups: [admins], os_user: fkowalski }\n  alice: { name: Alice }\n  bob: { name: Bob, os_user: robert }\n";
        Org::load("org.yaml", yaml).expect("org")
    }

    #[test]
    fn the_os_account_picks_the_person() {
        let identity = team_identity(&org(), "fkowalski", None).expect("frank");
        assert_eq!(identity.actor, "frank");
        assert_eq!(identity.operator, None);
        assert_eq!(person_of_account(&org(), "alice"), Some("alice"));
        assert_eq!(person_of_account(&org(), "bob"), None, "bob is robert");
    }

    #[test]
    fn admins_may_act_as_others_and_are_recorded() {
        let identity = team_identity(&org(), "fkowalski", Some("alice")).expect("as alice");
        assert_eq!(identity.actor, "alice");
        assert_eq!(identity.operator.as_deref(), Some("frank"));
        assert!(matches!(
            team_identity(&org(), "fkowalski", Some("alcie")),
            Err(IdentityError::UnknownPerson { .. })
        ));
    }

    #[test]
    fn others_may_not_and_strangers_are_refused() {
        assert!(matches!(
            team_identity(&org(), "robert", Some("alice")),
            Err(IdentityError::NotAdmin { .. })
        ));
        let me = team_identity(&org(), "robert", Some("bob")).expect("bob as himself");
        assert_eq!(me.actor, "bob");
        assert!(matches!(
            team_identity(&org(), "mallory", None),
            Err(IdentityError::UnknownAccount { .. })
        ));
    }
}
