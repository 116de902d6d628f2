//! The aid programmes a household can apply for, and what an application names besides the
//! programme (support mode and care level for extreme poverty, the member for single-person dibao).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An aid programme (glossary names: dibao, extreme poverty, marginal household, single-person dibao).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Programme {
    /// 最低生活保障 (低保): the household's gap to the standard is paid.
    Dibao,
    /// 特困人员供养: basic living standard plus a care allowance, per person.
    ExtremePoverty,
    /// 低保边缘家庭: registered for specialised assistance, no cash benefit of its own.
    Marginal,
    /// 单人保: a 重残 or 重病 adult of a marginal household enrolled alone.
    SinglePersonDibao,
}

impl Programme {
    /// Chinese and English name for trails and notices.
    pub fn label(self) -> &'static str {
        match self {
            Programme::Dibao => "低保 dibao",
            Programme::ExtremePoverty => "特困供养 extreme-poverty support",
            Programme::Marginal => "低保边缘家庭 marginal household",
            Programme::SinglePersonDibao => "单人保 single-person dibao",
        }
    }
}

/// Where an extreme-poverty person is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportMode {
    /// 集中供养: in an institution (敬老院 and the like), which receives the money.
    Institutional,
    /// 分散供养: at home.
    Dispersed,
}

/// Self-care ability of an extreme-poverty person; it sets the care allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareLevel {
    /// 全自理: fully able to care for oneself.
    FullSelfCare,
    /// 半护理 / 部分失能: partly unable.
    PartialCare,
    /// 全护理 / 完全失能: fully unable.
    FullCare,
}

impl CareLevel {
    /// Chinese and English name for trails.
    pub fn label(self) -> &'static str {
        match self {
            CareLevel::FullSelfCare => "全自理 fully able to care for oneself",
            CareLevel::PartialCare => "半护理 partly unable to care for oneself",
            CareLevel::FullCare => "全护理 fully unable to care for oneself",
        }
    }
}

/// Extreme-poverty support as applied for: where, and how much care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExtremePovertySupport {
    /// The member to be supported (extreme poverty is per person).
    pub member: Uuid,
    /// Institutional or dispersed.
    pub mode: SupportMode,
    /// Self-care ability.
    pub care_level: CareLevel,
}

/// What an application asks for: the programme plus what that programme needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "programme", rename_all = "snake_case")]
pub enum Claim {
    /// Dibao for the whole household.
    Dibao,
    /// Extreme-poverty support for one member.
    ExtremePoverty(ExtremePovertySupport),
    /// Registration as a marginal household.
    Marginal,
    /// Single-person dibao for one member of a marginal household.
    SinglePersonDibao {
        /// The 重残 or 重病 adult enrolled alone.
        member: Uuid,
    },
}

impl Claim {
    /// The programme claimed.
    pub fn programme(&self) -> Programme {
        match self {
            Claim::Dibao => Programme::Dibao,
            Claim::ExtremePoverty(_) => Programme::ExtremePoverty,
            Claim::Marginal => Programme::Marginal,
            Claim::SinglePersonDibao { .. } => Programme::SinglePersonDibao,
        }
    }
}
