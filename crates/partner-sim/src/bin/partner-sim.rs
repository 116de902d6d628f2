//! `partner-sim`: publish partner facts into the mesh from the command line. `partner-sim help`.

use anyhow::{Context, bail};
use chrono::{Months, NaiveDate};
use partner_sim::{
    Partner, bank_return, certificate, death, flagged_household, synthetic_id_number, verification,
};

const HELP: &str = "\
partner-sim — publish partner.* facts into Minzheng Mesh (NATS_URL, default nats://127.0.0.1:4222)

  partner-sim death <id-number> <date-of-death> [registering-division]
  partner-sim certificate <id-number> <category> <level> [issued-on] [registration-division]
        category: visual hearing speech physical intellectual mental multiple; level 1-4
  partner-sim verification <request-id> <application-id> <household-id> <monthly-income-fen> <property-ok:true|false>
  partner-sim bank-return <payer:aid|disability|child> <batch-id> <line-id> <amount-fen> <reason>
        reason: account_closed account_frozen account_not_found name_mismatch account_dormant other
  partner-sim flag <head-id-number> <village-code> <risk>
        risk: illness disability education disaster accident unemployment income_drop other
  partner-sim id-number <division> <birth-date> <sequence>     (prints a synthetic, valid ID number)
";

fn date(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("{s}: use YYYY-MM-DD"))
}

fn enum_arg<T: serde::de::DeserializeOwned>(s: &str) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .with_context(|| format!("{s} is not a known value"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a = |i: usize| args.get(i).map(String::as_str).context(HELP);
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let url = std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let id = match a(0).unwrap_or("help") {
        "death" => {
            let fact = death(
                a(1)?,
                date(a(2)?)?,
                args.get(3).map_or("500112", String::as_str),
            )?;
            Partner::connect(&url, "civil-registry")
                .await?
                .publish(&fact)
                .await?
        }
        "certificate" => {
            let issued = args.get(4).map(|d| date(d)).transpose()?.unwrap_or(today);
            let expires = issued
                .checked_add_months(Months::new(120))
                .context("date")?;
            let fact = certificate(
                a(1)?,
                enum_arg(a(2)?)?,
                a(3)?.parse()?,
                issued,
                expires,
                args.get(5).map_or("500112", String::as_str),
            )?;
            Partner::connect(&url, "dpf").await?.publish(&fact).await?
        }
        "verification" => {
            let fact = verification(
                a(1)?.parse()?,
                a(2)?.parse()?,
                a(3)?.parse()?,
                a(4)?.parse()?,
                a(5)?.parse()?,
                today,
            );
            Partner::connect(&url, "verification")
                .await?
                .publish(&fact)
                .await?
        }
        "bank-return" => {
            let fact = bank_return(
                enum_arg(a(1)?)?,
                a(2)?.parse()?,
                a(3)?.parse()?,
                a(4)?.parse()?,
                enum_arg(a(5)?)?,
                today,
            );
            Partner::connect(&url, "bank").await?.publish(&fact).await?
        }
        "flag" => {
            let fact = flagged_household(a(1)?, a(2)?, enum_arg(a(3)?)?, today)?;
            Partner::connect(&url, "rural-revitalisation")
                .await?
                .publish(&fact)
                .await?
        }
        "id-number" => synthetic_id_number(a(1)?, date(a(2)?)?, a(3)?.parse()?),
        "help" | "-h" | "--help" => {
            print!("{HELP}");
            return Ok(());
        }
        other => bail!("unknown command {other}\n\n{HELP}"),
    };
    println!("{id}");
    Ok(())
}
