//! Reference data: the townships (镇街) of 渝北区 with their 9-digit NBS codes (统计用区划代码,
//! code system NBS-2021). A seed for services' division tables; the bureau corrects it as data.
//! Codes marked `liangjiang` are streets administered by 两江新区 though they belong to 渝北区.

/// The district code of 渝北区.
pub const YUBEI: &str = "500112";
/// Code system of the codes below.
pub const CODE_SYSTEM: &str = "NBS-2021";

/// A township: code, name, and whether 两江新区 administers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Township {
    pub code: &'static str,
    pub name: &'static str,
    pub liangjiang: bool,
}

const fn t(code: &'static str, name: &'static str, liangjiang: bool) -> Township {
    Township {
        code,
        name,
        liangjiang,
    }
}

/// The 30 townships of 渝北区.
pub const YUBEI_TOWNSHIPS: [Township; 30] = [
    t("500112002", "双龙湖街道", false),
    t("500112004", "回兴街道", false),
    t("500112007", "鸳鸯街道", true),
    t("500112008", "翠云街道", true),
    t("500112009", "人和街道", true),
    t("500112010", "天宫殿街道", true),
    t("500112011", "龙溪街道", false),
    t("500112012", "龙山街道", false),
    t("500112013", "龙塔街道", false),
    t("500112014", "大竹林街道", true),
    t("500112015", "悦来街道", false),
    t("500112016", "两路街道", false),
    t("500112017", "双凤桥街道", false),
    t("500112018", "王家街道", false),
    t("500112019", "礼嘉街道", true),
    t("500112020", "宝圣湖街道", false),
    t("500112021", "金山街道", true),
    t("500112022", "康美街道", true),
    t("500112023", "仙桃街道", false),
    t("500112129", "玉峰山镇", false),
    t("500112131", "龙兴镇", false),
    t("500112133", "统景镇", false),
    t("500112135", "大湾镇", false),
    t("500112138", "兴隆镇", false),
    t("500112139", "木耳镇", false),
    t("500112140", "茨竹镇", false),
    t("500112141", "古路镇", false),
    t("500112142", "石船镇", false),
    t("500112143", "大盛镇", false),
    t("500112144", "洛碛镇", false),
];

/// The township with this 9-digit code.
pub fn township(code: &str) -> Option<&'static Township> {
    YUBEI_TOWNSHIPS.iter().find(|t| t.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_nine_digit_codes_of_the_district() {
        let mut codes: Vec<&str> = YUBEI_TOWNSHIPS.iter().map(|t| t.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), YUBEI_TOWNSHIPS.len());
        assert!(codes.iter().all(|c| c.len() == 9 && c.starts_with(YUBEI)));
        assert_eq!(township("500112142").map(|t| t.name), Some("石船镇"));
    }
}
