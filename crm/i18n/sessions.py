"""Messages of the browser sessions (sign-in that survives a refresh) and their admin list."""

KO: dict[str, str] = {
    "sessions.ended": "이 브라우저의 로그인이 종료되었습니다 (다른 창에서 로그아웃했거나 관리자가 종료함). 다시 로그인하세요.",
    "sessions.expired": "로그인 유효 시간이 지나 로그아웃되었습니다. 다시 로그인하세요.",
    "sessions.title": "로그인된 브라우저",
    "sessions.caption": "로그인은 {hours}시간까지, 사용하지 않으면 {minutes}분 뒤에 끝납니다. 종료하면 그 브라우저는 다음 동작에서 로그아웃됩니다.",
    "sessions.none": "지금 로그인된 브라우저가 없습니다.",
    "sessions.user": "사용자",
    "sessions.created": "로그인 시각",
    "sessions.last_seen": "마지막 사용",
    "sessions.expires": "만료 시각",
    "sessions.pick": "종료할 로그인",
    "sessions.option": "{name} · 로그인 {created} · 마지막 사용 {seen}",
    "sessions.revoke": "선택한 로그인 종료",
    "sessions.revoked": "{name}의 로그인 하나를 종료했습니다.",
    "sessions.not_found": "이미 끝난 로그인입니다. 목록을 새로 고쳐 확인하세요.",
    "entity.user_session": "로그인 세션",
}

EN: dict[str, str] = {
    "sessions.ended": "This browser's sign-in has ended (signed out in another window, or ended by an administrator). Please sign in again.",
    "sessions.expired": "Your sign-in has reached its time limit. Please sign in again.",
    "sessions.title": "Signed-in browsers",
    "sessions.caption": "A sign-in lasts up to {hours} hours, and ends after {minutes} minutes without use. Ending one signs that browser out at its next action.",
    "sessions.none": "No browser is signed in right now.",
    "sessions.user": "User",
    "sessions.created": "Signed in",
    "sessions.last_seen": "Last used",
    "sessions.expires": "Expires",
    "sessions.pick": "Sign-in to end",
    "sessions.option": "{name} · signed in {created} · last used {seen}",
    "sessions.revoke": "End the selected sign-in",
    "sessions.revoked": "Ended one sign-in of {name}.",
    "sessions.not_found": "That sign-in has already ended. Reload the list to check.",
    "entity.user_session": "Sign-in session",
}
