//! Purpose: domain keys for Discord things (servers, channels, users, roles) and posts. The
//! domain speaks these; `discord/` converts serenity ids at the edge and `store/` converts to
//! database integers once.

use std::fmt;

macro_rules! snowflake {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

snowflake!(
    /// A Discord server ("guild"). Scores belong to one.
    GuildId
);
snowflake!(
    /// A text channel.
    ChannelId
);
snowflake!(
    /// A member.
    UserId
);
snowflake!(
    /// A role; a study group is a role.
    RoleId
);

/// A question shown in a channel (a daily question or a quiz round).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostId(pub i64);

impl fmt::Display for PostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
