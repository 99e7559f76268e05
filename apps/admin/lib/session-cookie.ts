/** httpOnly cookie holding the admin JWT; browser code never sees it. */
export const SESSION_COOKIE = "podchat_admin";
/** The signed-in admin's name, for display. */
export const USER_COOKIE = "podchat_admin_user";
