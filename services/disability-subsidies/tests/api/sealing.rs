//! Personal data at rest: ID and certificate numbers, payee and agent names and accounts are
//! stored sealed (read here at the database level), open only with the key and in their own row,
//! and are still found by ID number through the person_ref.

use sea_orm_migration::MigratorTrait;

use super::support::*;
use disability_subsidies::store::{m003_sealed::seal_existing, sealed::binding};

#[tokio::test]
async fn personal_data_is_stored_sealed_and_opens_only_with_the_key_in_its_own_row() {
    let app = spawn().await;
    let holder = id_number("50011219800301123");
    on_day("2025-11-20");
    app.publish(&certificate(&holder, 1, "2025-11-20", LIANGLU))
        .await;
    wait_finding(&app, &holder, AnomalyKind::EligibleNotClaiming).await;
    grant_by_application(&app, &holder, "nursing", "2026-01-15", "张三").await;
    let clerk = TestApp::token(Role::TownshipClerk, LIANGLU);
    let (status, body) = app
        .post(
            &format!("/v1/holders/{}/payee", person_ref(&holder)),
            &clerk,
            &json!({ "name": "张三", "payee": {
                "bank_code": "CQRCB", "account_number": "6228480000000701", "account_holder_name": "李四" },
                "agents": [{ "name": "李四", "relationship": "guardian" }] }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let batch = pay(&app, "2026-02").await;

    let db = database(&app).await;
    let r = person_ref(&holder);
    let keys = DataKeys::development();
    let wrong = DataKeys::from_bytes(&[42; 32], &[]);
    let checks: [(&str, &str, &str, &str); 4] = [
        (
            "SELECT id_number FROM identities WHERE person_ref = $1",
            "identities.id_number",
            &r,
            &holder,
        ),
        (
            "SELECT name FROM payees WHERE person_ref = $1",
            "payees.name",
            &r,
            "张三",
        ),
        (
            "SELECT account_number FROM payees WHERE person_ref = $1",
            "payees.account_number",
            &r,
            "6228480000000701",
        ),
        (
            "SELECT account_holder_name FROM payees WHERE person_ref = $1",
            "payees.account_holder_name",
            &r,
            "李四",
        ),
    ];
    for (sql, column, row, plain) in checks {
        let stored = texts(&db, sql, vec![r.clone().into()]).await;
        assert_eq!(stored.len(), 1, "{sql}");
        let stored = &stored[0];
        assert!(
            DataKeys::is_sealed(stored) && !stored.contains(plain),
            "{column} is stored in plain text"
        );
        assert_eq!(keys.open(&binding(column, row), stored).unwrap(), plain);
        assert!(
            wrong.open(&binding(column, row), stored).is_err(),
            "{column} opens with a wrong key"
        );
        assert!(
            keys.open(&binding(column, "another-row"), stored).is_err(),
            "{column} opens in another row"
        );
    }
    let certificate_number = texts(
        &db,
        "SELECT certificate_number FROM identities WHERE person_ref = $1",
        vec![r.clone().into()],
    )
    .await;
    assert_eq!(
        keys.open(
            &binding("identities.certificate_number", &r),
            &certificate_number[0]
        )
        .unwrap(),
        format!("{holder}41")
    );
    let agent = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT id, name FROM agents WHERE person_ref = $1",
            [r.clone().into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let agent_id: Uuid = agent.try_get("", "id").unwrap();
    let agent_name: String = agent.try_get("", "name").unwrap();
    assert_eq!(
        keys.open(&binding("agents.name", &agent_id.to_string()), &agent_name)
            .unwrap(),
        "李四"
    );
    let lines = db
        .query_all_raw(sea_orm::Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT id, account_number, account_holder_name FROM payment_lines WHERE person_ref = $1 AND status = 'issued'",
            [r.clone().into()],
        ))
        .await
        .unwrap();
    assert_eq!(lines.len(), 4);
    for l in &lines {
        let id: Uuid = l.try_get("", "id").unwrap();
        let number: String = l.try_get("", "account_number").unwrap();
        let name: String = l.try_get("", "account_holder_name").unwrap();
        let row = id.to_string();
        assert_eq!(
            keys.open(&binding("payment_lines.account_number", &row), &number)
                .unwrap(),
            "6228480000000701"
        );
        assert_eq!(
            keys.open(&binding("payment_lines.account_holder_name", &row), &name)
                .unwrap(),
            "李四"
        );
    }
    assert!(
        texts(
            &db,
            "SELECT person_ref FROM identities WHERE id_number = $1",
            vec![holder.clone().into()]
        )
        .await
        .is_empty(),
        "the plain value is nowhere to be searched"
    );

    // Read back through the edge: masked by default, unmasked for the district (audited), found
    // by ID number through the person_ref, and the bank file carries the opened account.
    let (_, view) = app.get(&format!("/v1/holders/{r}"), &clerk).await;
    assert_eq!(
        view["id_number"],
        format!("{}********{}", &holder[..6], &holder[14..])
    );
    let (_, view) = app
        .get(&format!("/v1/holders/{r}?unmasked=true"), &officer())
        .await;
    assert_eq!(
        (
            view["id_number"].as_str(),
            view["certificate_number"].as_str()
        ),
        (Some(holder.as_str()), Some(format!("{holder}41").as_str()))
    );
    let (status, found) = app
        .post(
            "/v1/holder-lookups",
            &clerk,
            &json!({ "id_number": holder }),
        )
        .await;
    assert_eq!(
        (status, found["person_ref"].as_str()),
        (200, Some(r.as_str()))
    );
    let (status, problem) = app
        .post(
            "/v1/holder-lookups",
            &clerk,
            &json!({ "id_number": "500112198003011230" }),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("id_number"))
    );
    let (status, _) = app
        .post(
            "/v1/holder-lookups",
            &TestApp::token(Role::TownshipClerk, "500112017"),
            &json!({ "id_number": holder }),
        )
        .await;
    assert_eq!(status, 404);
    let csv = app
        .http
        .get(format!(
            "{}/v1/payment-batches/{}/bank-file",
            app.base,
            batch["id"].as_str().unwrap()
        ))
        .bearer_auth(officer())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv.lines()
            .filter(|l| l.contains(",6228480000000701,李四,"))
            .count(),
        4,
        "{csv}"
    );
}

#[tokio::test]
async fn the_migration_seals_in_place_what_was_written_in_plain_text_before_it() {
    let created = kit::testing::TestDatabase::create().await;
    let db = created.connect().await;
    let before_sealing = u32::try_from(kit::db::migrations().len() + 2).unwrap();
    Migrator::up(&db, Some(before_sealing)).await.unwrap();
    let exec = |sql: &'static str, values: Vec<sea_orm::Value>| {
        let db = &db;
        async move {
            db.execute_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                sql,
                values,
            ))
            .await
            .unwrap();
        }
    };
    let holder = id_number("50011219800302123");
    let r = person_ref(&holder);
    let agent = Uuid::now_v7();
    let line = Uuid::now_v7();
    exec(
        "INSERT INTO identities (person_ref, id_number, certificate_number) VALUES ($1, $2, $3)",
        vec![
            r.clone().into(),
            holder.clone().into(),
            format!("{holder}41").into(),
        ],
    )
    .await;
    exec(
        "INSERT INTO payees (person_ref, name, bank_code, account_number, account_holder_name, updated_at, version) \
         VALUES ($1, '张三', 'CQRCB', '6228480000000801', '张三', $2, 1)",
        vec![r.clone().into(), kit::clock::now().into()],
    )
    .await;
    exec(
        "INSERT INTO agents (id, person_ref, name, relationship, registered_by, created_at) \
         VALUES ($1, $2, '李四', 'guardian', 'clerk', $3)",
        vec![agent.into(), r.clone().into(), kit::clock::now().into()],
    )
    .await;
    exec(
        "INSERT INTO payment_lines (id, batch_id, subsidy_id, person_ref, kind, month, amount_fen, level, standard_from, \
         status, arrears, township_code, bank_code, account_number, account_holder_name, trail) \
         VALUES ($1, $2, $3, $4, 'nursing', '2026-01', 11000, 1, $5, 'issued', false, '500112016', 'CQRCB', \
         '6228480000000801', '张三', 'trail')",
        vec![
            line.into(),
            Uuid::now_v7().into(),
            Uuid::now_v7().into(),
            r.clone().into(),
            date("2026-01-01").into(),
        ],
    )
    .await;

    Migrator::up(&db, None).await.unwrap();

    let keys = DataKeys::development();
    let opened = |column: &str, row: &str, stored: &str| {
        assert!(DataKeys::is_sealed(stored), "{column} left in plain text");
        keys.open(&binding(column, row), stored).unwrap()
    };
    let ids = texts(
        &db,
        "SELECT id_number FROM identities WHERE person_ref = $1",
        vec![r.clone().into()],
    )
    .await;
    assert_eq!(opened("identities.id_number", &r, &ids[0]), holder);
    let names = texts(
        &db,
        "SELECT name FROM payees WHERE person_ref = $1",
        vec![r.clone().into()],
    )
    .await;
    assert_eq!(opened("payees.name", &r, &names[0]), "张三");
    let accounts = texts(
        &db,
        "SELECT account_number FROM payees WHERE person_ref = $1",
        vec![r.clone().into()],
    )
    .await;
    assert_eq!(
        opened("payees.account_number", &r, &accounts[0]),
        "6228480000000801"
    );
    let agents = texts(
        &db,
        "SELECT name FROM agents WHERE id = $1",
        vec![agent.into()],
    )
    .await;
    assert_eq!(
        opened("agents.name", &agent.to_string(), &agents[0]),
        "李四"
    );
    let line_accounts = texts(
        &db,
        "SELECT account_number FROM payment_lines WHERE id = $1",
        vec![line.into()],
    )
    .await;
    assert_eq!(
        opened(
            "payment_lines.account_number",
            &line.to_string(),
            &line_accounts[0]
        ),
        "6228480000000801"
    );
    assert_eq!(
        seal_existing(&db, &keys).await.unwrap(),
        0,
        "sealed values are left alone"
    );
}
